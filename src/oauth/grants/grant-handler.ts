import type { RegisteredClient } from '../../clients/registered-client.js';
import type { GrantType } from '../../config/config.schema.js';
import type { Realm } from '../../realms/realm.js';
import type { FormParams } from '../form-params.js';

/** A successful token response (RFC 6749 §5.1), plus the extra members some grants return. */
export interface TokenResponse {
  access_token: string;
  /** `N_A` when token exchange issues something that is not an access token (RFC 8693 §2.2.1). */
  token_type: 'Bearer' | 'N_A';
  expires_in: number;
  scope?: string;
  refresh_token?: string;
  refresh_expires_in?: number;
  id_token?: string;
  issued_token_type?: string;
}

export interface GrantRequest {
  realm: Realm;
  client: RegisteredClient;
  params: FormParams;
  /** The raw `organisation_agb` header, if any. */
  organisationAgb: string | string[] | undefined;
}

/** One grant type (DESIGN.md §4: one file per grant under `oauth/grants/`). */
export interface GrantHandler {
  readonly grantType: GrantType;
  handle(request: GrantRequest): Promise<TokenResponse>;
}

/** Nest token for the list of every {@link GrantHandler}; discovery and the token endpoint read it. */
export const GRANT_HANDLERS = Symbol('GRANT_HANDLERS');
