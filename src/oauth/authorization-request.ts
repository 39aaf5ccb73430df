import type { ClientRegistry } from '../clients/client.registry.js';
import type { LoginRequest } from '../login/login-request.js';
import type { Realm } from '../realms/realm.js';
import type { OAuthErrorCode } from '../protocol/oauth-error.js';
import { isWellFormedPkceValue } from '../protocol/pkce.js';
import { parseScope } from '../protocol/scope.js';
import { unacceptableParameter } from './authorization-request-limits.js';
import { parseMaxAge } from './max-age.js';

/** An authorization request that passed every check: what a login starts from. */
export type AuthorizationRequest = LoginRequest;

export type AuthorizationRequestCheck =
  | { ok: true; request: AuthorizationRequest }
  /** The redirect URI cannot be trusted: the person sees an error page, the client nothing (§3.1.2.6). */
  | { ok: false; page: true; reason: string }
  /** The redirect URI is trusted: the error goes back to the client with state and iss. */
  | {
      ok: false;
      page: false;
      redirectUri: string;
      state?: string;
      error: OAuthErrorCode | 'unsupported_response_type' | 'request_not_supported' | 'login_required';
      reason: string;
    };

type Params = Map<string, string | string[]>;

/** Validates the parameters of an authorization request, in the order RFC 6749 §4.1.2.1 requires. */
export function checkAuthorizationRequest(realm: Realm, clients: ClientRegistry, params: Params): AuthorizationRequestCheck {
  const single = (name: string): string | undefined | null => {
    const value = params.get(name);
    if (Array.isArray(value)) return null;
    return value === '' ? undefined : value;
  };
  const clientId = single('client_id');
  const redirectUri = single('redirect_uri');
  if (clientId === null || redirectUri === null) return { ok: false, page: true, reason: 'client_id or redirect_uri repeated' };
  // Too long or with a control character: refused before it is looked up, stored, logged or echoed.
  const unacceptable = unacceptableParameter(params);
  if (unacceptable === 'client_id' || unacceptable === 'redirect_uri')
    return { ok: false, page: true, reason: `unacceptable ${unacceptable}` };
  if (!clientId) return { ok: false, page: true, reason: 'missing client_id' };
  const client = clients.find(realm.name, clientId);
  if (!client) return { ok: false, page: true, reason: `unknown client ${clientId}` };
  // Exact string comparison (RFC 9700 §4.1.3): no case folding, no port or query leeway.
  if (!redirectUri || !client.config.redirectUris.includes(redirectUri)) {
    return { ok: false, page: true, reason: `redirect_uri not registered for ${clientId}` };
  }

  const state = unacceptable === 'state' ? undefined : single('state');
  const fail = (error: Extract<AuthorizationRequestCheck, { page: false }>['error'], reason: string): AuthorizationRequestCheck => ({
    ok: false,
    page: false,
    redirectUri,
    state: typeof state === 'string' ? state : undefined,
    error,
    reason,
  });
  for (const [name, value] of params) if (Array.isArray(value)) return fail('invalid_request', `parameter ${name} repeated`);
  if (unacceptable) return fail('invalid_request', `${unacceptable} too long or holds a control character`);
  if (params.has('request') || params.has('request_uri')) return fail('request_not_supported', 'request objects are not supported');
  const responseType = single('response_type');
  if (!responseType) return fail('invalid_request', 'missing response_type');
  if (responseType !== 'code') return fail('unsupported_response_type', `response_type ${responseType}`);
  if (!client.config.grantTypes.includes('authorization_code')) return fail('unauthorized_client', 'client may not use authorization_code');
  if (single('prompt')?.split(' ').includes('none')) return fail('login_required', 'prompt=none needs an existing login');
  const maxAge = parseMaxAge(single('max_age') ?? undefined);
  if (maxAge === null) return fail('invalid_request', 'max_age is not a non-negative integer');

  const codeChallenge = single('code_challenge') ?? undefined;
  const method = single('code_challenge_method') ?? (codeChallenge ? 'plain' : undefined);
  if (method !== undefined && method !== 'S256') return fail('invalid_request', `code_challenge_method ${method} refused`);
  if (codeChallenge !== undefined && !isWellFormedPkceValue(codeChallenge)) return fail('invalid_request', 'malformed code_challenge');
  if (client.config.type === 'public' && !codeChallenge) return fail('invalid_request', 'PKCE is required for public clients');

  const requested = parseScope(single('scope') ?? undefined);
  const refused = requested.filter((scope) => !client.config.scopes.includes(scope));
  if (refused.length > 0) return fail('invalid_scope', `scope not allowed: ${refused.join(' ')}`);

  return {
    ok: true,
    request: {
      client,
      redirectUri,
      state: state ?? undefined,
      nonce: single('nonce') ?? undefined,
      scope: requested,
      codeChallenge,
      idpHint: single('kc_idp_hint') ?? single('idp_hint') ?? undefined,
      maxAge,
    },
  };
}
