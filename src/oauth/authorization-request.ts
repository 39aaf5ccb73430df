import type { ClientRegistry } from '../clients/client.registry.js';
import type { LoginRequest } from '../login/login-request.js';
import { answersFromSso } from '../login/sso-reuse.js';
import type { Realm } from '../realms/realm.js';
import type { OAuthErrorCode } from '../protocol/oauth-error.js';
import { defaultResponseMode, parseResponseMode, type ResponseMode } from '../protocol/authorization-response.js';
import { isWellFormedS256Challenge } from '../protocol/pkce.js';
import { CODE_CHALLENGE_METHODS, RESPONSE_TYPES, registeredOrOther } from '../protocol/registered-values.js';
import { parseScope } from '../protocol/scope.js';
import { isUnacceptable, unacceptableParameter } from './authorization-request-limits.js';
import { parseMaxAge } from './max-age.js';
import { isRegisteredRedirectUri } from './registered-redirect-uri.js';
import { namesFhirServer } from './smart-audience.js';

/** An authorization request that passed every check: what a login starts from. */
export type AuthorizationRequest = LoginRequest;

export type AuthorizationRequestCheck =
  /** `ignoredScopes`: requested values that were not granted (unknown, or not for this client), for the log. */
  | { ok: true; request: AuthorizationRequest; ignoredScopes: string[] }
  /** The redirect URI cannot be trusted: the person sees an error page, the client nothing (§3.1.2.6). */
  | { ok: false; page: true; reason: string }
  /** The redirect URI is trusted: the error goes back to the client with state and iss. */
  | {
      ok: false;
      page: false;
      redirectUri: string;
      /** How the error goes back: the request's response_mode when it was valid, else `query`. */
      responseMode: ResponseMode;
      state?: string;
      error: OAuthErrorCode | 'unsupported_response_type' | 'request_not_supported' | 'request_uri_not_supported' | 'login_required';
      reason: string;
    };

type Params = Map<string, string | string[]>;

/** What the endpoint knows beyond the realm and its clients. */
export interface AuthorizationContext {
  /** The FHIR base URL the realm's tokens are for: the only `aud` a SMART app may name. */
  fhirBaseUrl: string;
  /** The browser's live SSO session in the realm, if it has one: what `prompt=none` may be answered from. */
  ssoSession?: { auth_time: Date };
  /** Now, for `max_age` against the SSO session's authentication. */
  now?: Date;
}

/** Validates the parameters of an authorization request, in the order RFC 6749 §4.1.2.1 requires. */
export function checkAuthorizationRequest(
  realm: Realm,
  clients: ClientRegistry,
  params: Params,
  context: AuthorizationContext,
): AuthorizationRequestCheck {
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
  // Not written to the log: an id that names no client may be anything a person or app typed there.
  if (!client) return { ok: false, page: true, reason: 'unknown client' };
  // Exact string comparison (RFC 9700 §4.1.3), but for a native app's loopback IP literal's port (RFC 8252 §7.3).
  if (!redirectUri || !isRegisteredRedirectUri(redirectUri, client.config)) {
    return { ok: false, page: true, reason: `redirect_uri not registered for ${clientId}` };
  }

  // Judged on its own, not only as the first unacceptable parameter: whatever else is wrong, an
  // over-long state or one with a control character is never echoed (RFC 6749 §4.1.2.1 echoes only a valid one).
  const state = isUnacceptable(params, 'state') ? undefined : single('state');
  // Read first, so every later error goes back the way the client asked (OAuth 2.0 Form Post Response Mode §2).
  const requestedMode = single('response_mode');
  const responseType = single('response_type');
  const responseMode = requestedMode === null ? null : parseResponseMode(requestedMode, responseType);
  const fail = (error: Extract<AuthorizationRequestCheck, { page: false }>['error'], reason: string): AuthorizationRequestCheck => ({
    ok: false,
    page: false,
    redirectUri,
    responseMode: responseMode ?? defaultResponseMode(responseType),
    state: typeof state === 'string' ? state : undefined,
    error,
    reason,
  });
  for (const [name, value] of params) if (Array.isArray(value)) return fail('invalid_request', `parameter ${name} repeated`);
  if (unacceptable) return fail('invalid_request', `${unacceptable} too long or holds a control character`);
  // OIDC Core §3.1.2.6: each form of request object has its own error (Discovery: both advertised false);
  // one sent without a value is as if omitted (RFC 6749 §3.1), as every other parameter here is.
  if (single('request') !== undefined) return fail('request_not_supported', 'request objects are not supported');
  if (single('request_uri') !== undefined) return fail('request_uri_not_supported', 'request_uri is not supported');
  if (responseMode === null) return fail('invalid_request', 'unsupported response_mode');
  if (!responseType) return fail('invalid_request', 'missing response_type');
  if (responseType !== 'code') return fail('unsupported_response_type', `response_type ${registeredOrOther(responseType, RESPONSE_TYPES)}`);
  if (!client.config.grantTypes.includes('authorization_code')) return fail('unauthorized_client', 'client may not use authorization_code');
  const prompt = parsePrompt(single('prompt') ?? undefined);
  if (prompt === null) return fail('invalid_request', 'prompt: unknown value, or none with another');
  const maxAge = parseMaxAge(single('max_age') ?? undefined);
  if (maxAge === null) return fail('invalid_request', 'max_age is not a non-negative integer');
  const codeChallenge = single('code_challenge') ?? undefined;
  const method = single('code_challenge_method') ?? (codeChallenge ? 'plain' : undefined);
  if (method !== undefined && method !== 'S256')
    return fail('invalid_request', `code_challenge_method ${registeredOrOther(method, CODE_CHALLENGE_METHODS)} refused`);
  if (codeChallenge !== undefined && !isWellFormedS256Challenge(codeChallenge)) return fail('invalid_request', 'malformed code_challenge');
  if (client.config.type === 'public' && !codeChallenge) return fail('invalid_request', 'PKCE is required for public clients');

  const aud = single('aud') ?? undefined;
  if (aud !== undefined && !namesFhirServer(aud, context.fhirBaseUrl)) return fail('invalid_request', 'aud names another FHIR server');

  // OIDC Core §3.1.2.6: prompt=none and the End-User would have to authenticate. Asked once the request
  // is otherwise valid, so a malformed one is told what is wrong with it, not that no one is logged in.
  if (prompt === 'none' && !answersFromSso(context.ssoSession, { prompt, maxAge }, context.now ?? new Date())) {
    return fail('login_required', 'prompt=none without an SSO session that can answer it');
  }

  // Never an error: unknown values are ignored, others the client may not have are dropped (scope-catalogue.ts).
  const scopes = realm.scopeCatalogue.selectForLogin(client.config, parseScope(single('scope') ?? undefined));

  return {
    ok: true,
    request: {
      client,
      redirectUri,
      responseMode,
      state: state ?? undefined,
      nonce: single('nonce') ?? undefined,
      scope: scopes.granted,
      codeChallenge,
      idpHint: single('kc_idp_hint') ?? single('idp_hint') ?? undefined,
      maxAge,
      prompt,
    },
    ignoredScopes: [...scopes.unknown, ...scopes.refused],
  };
}

/**
 * OIDC Core §3.1.2.1 `prompt`, space-delimited: `none` alone, or any of `login`, `consent`,
 * `select_account`. This service asks no consent (the client's registration is it), so `consent`
 * changes nothing. It keeps one account per browser, so the only place a person can choose another
 * is the IdP: `select_account` goes there as `login` does, never
 * answered from the SSO session without anyone choosing, which the spec forbids ("MUST return an
 * error" when no choice can be obtained) and which, at a shared workstation, would hand the app the
 * last person's session. Null: an unknown value, or `none` with another (the spec's error).
 */
function parsePrompt(value: string | undefined): 'none' | 'login' | undefined | null {
  const values = (value ?? '').split(' ').filter((v) => v !== '');
  if (values.some((v) => !['none', 'login', 'consent', 'select_account'].includes(v))) return null;
  if (values.includes('none')) return values.length === 1 ? 'none' : null;
  return values.includes('login') || values.includes('select_account') ? 'login' : undefined;
}
