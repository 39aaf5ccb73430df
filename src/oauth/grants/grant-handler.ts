import type { RegisteredClient } from '../../clients/registered-client.js';
import type { GrantType } from '../../config/client-config.schema.js';
import type { Realm } from '../../realms/realm.js';
import type { FormParams } from '../../protocol/form-params.js';
import type { TokenResponse } from '../../protocol/token-response.js';

export type { TokenResponse };

export interface GrantRequest {
  realm: Realm;
  client: RegisteredClient;
  params: FormParams;
  /** The raw `organisation_agb` header, if any. */
  organisationAgb: string | string[] | undefined;
  /** The client address (Fastify's `request.ip`), for the audit trail. */
  clientAddress?: string;
}

/** One grant type (DESIGN.md §4: one file per grant under `oauth/grants/`). */
export interface GrantHandler {
  readonly grantType: GrantType;
  handle(request: GrantRequest): Promise<TokenResponse>;
}

/** Nest token for the list of every {@link GrantHandler}; discovery and the token endpoint read it. */
export const GRANT_HANDLERS = Symbol('GRANT_HANDLERS');
