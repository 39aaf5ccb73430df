import type { RegisteredClient } from '../clients/registered-client.js';
import type { ResponseMode } from '../protocol/authorization-response.js';

/**
 * What a login starts from: an authorization request that passed every check at the authorization
 * endpoint (OIDC Core §3.1.2.2, RFC 7636 §4.4). Defined here, below `oauth/`, so the endpoint
 * hands it down and nothing in `login/` imports upwards.
 */
export interface LoginRequest {
  client: RegisteredClient;
  redirectUri: string;
  /** How the code (or an error) goes back to the client. */
  responseMode: ResponseMode;
  state?: string;
  nonce?: string;
  /** What is granted: the requested values the realm knows and the client may have (scope-catalogue.ts). */
  scope: string[];
  codeChallenge?: string;
  idpHint?: string;
  /** OIDC Core §3.1.2.1 `max_age`, seconds: the IdP is asked to re-authenticate, and an older authentication is refused. */
  maxAge?: number;
  /**
   * OIDC Core §3.1.2.1 `prompt`: `none` answers from the browser's SSO session or with
   * `login_required`, never showing a page; `login` sends the person to the IdP even with one.
   */
  prompt?: 'none' | 'login';
  /**
   * OIDC Core §3.1.2.1 `id_token_hint`: the `sub` of the hint, verified. Only that person's login
   * completes; another's gets `login_required` ("otherwise, it SHOULD return an error").
   */
  hintSubject?: string;
}
