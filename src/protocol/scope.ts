import { OAuthError } from './oauth-error.js';
import { parseSmartResourceScope, scopeCovers } from './smart-scope.js';

/**
 * Scope values (RFC 6749 §3.3): a space-delimited, case-sensitive list whose order carries no
 * meaning. One module parses, narrows and formats them, so every grant reads them the same way.
 */

/**
 * OIDC Core §5.4: the scopes every realm understands. Not `email` (nor `address`, `phone`): no
 * national IdP gives one, so no token or UserInfo could carry its claims; asked for, it is ignored
 * like any unknown value, and discovery does not offer it. Nor `offline_access` (§11): no refresh
 * token here outlives its session (ScopeCatalogue.selectForLogin grants `online_access` instead).
 */
export const OIDC_SCOPES = ['openid', 'profile'] as const;

/**
 * SMART App Launch 2.x §"Scopes for requesting context data" / "identity data" / "a refresh token"
 * this service serves. `online_access` asks for a refresh token usable while the person's session
 * lives, which is what every refresh token here is (fhirclient refreshes only with it or
 * `offline_access` granted, and `offline_access` is never granted).
 */
export const SMART_CONTEXT_SCOPES = ['launch/patient', 'fhirUser', 'online_access'] as const;

/**
 * `offline_access` read as what a client gets here in its place, `online_access`
 * (ScopeCatalogue.selectForLogin). At refresh, a client that repeats the scope it asked for at login
 * (angular-oauth2-oidc sends its configured one) asks for no more than it holds, and a session opened
 * while `offline_access` was still granted holds no more than the refresh token it has.
 */
export function offlineAsOnline(scopes: readonly string[]): string[] {
  return [...new Set(scopes.map((scope) => (scope === 'offline_access' ? 'online_access' : scope)))];
}

/** The distinct values of a scope string, in first-seen order; absent or blank is none. */
export function parseScope(scope: string | undefined): string[] {
  if (scope === undefined) return [];
  return [...new Set(scope.split(' ').filter((value) => value !== ''))];
}

/** The wire form of a list of scope values. */
export function formatScope(scopes: readonly string[]): string {
  return scopes.join(' ');
}

/**
 * A request may narrow what is held, never widen it (RFC 6749 §6: "MUST NOT include any scope not
 * originally granted"; RFC 8693 §2.1 likewise): absent, everything `held` is kept; a value no held
 * value covers is `invalid_scope`. A SMART resource scope held covers the narrower ones (`scopeCovers`:
 * `patient/*.rs` held, `patient/Observation.rs` may be asked for), which grant nothing it did not;
 * a search-narrowed one only itself.
 */
export function narrowScope(requested: string | undefined, held: readonly string[]): string[] {
  if (requested === undefined) return [...held];
  const scopes = requestedScopes(requested);
  const widened = scopes.filter((scope) => !held.some((value) => scopeCovers(value, scope)));
  if (widened.length > 0) throw new OAuthError('invalid_scope', `scope widened: ${scopesForTheLog(widened)}`);
  return scopes;
}

/**
 * Client credentials (RFC 6749 §4.4.2): absent, the client gets its registered scopes; a value it is
 * not registered for is `invalid_scope` (never silently dropped, so a client always knows what it holds).
 * A registered SMART resource scope covers the narrower ones (SMART Backend Services: a client of
 * `system/*.rs` may ask for `system/Patient.rs`), as at the authorization endpoint (`scopeCovers`).
 */
export function grantScopes(requested: string | undefined, allowed: readonly string[]): string[] {
  if (requested === undefined) return [...allowed];
  const scopes = requestedScopes(requested);
  const refused = scopes.filter((scope) => !allowed.some((held) => scopeCovers(held, scope)));
  if (refused.length > 0) throw new OAuthError('invalid_scope', `scope not allowed: ${scopesForTheLog(refused)}`);
  return scopes;
}

/**
 * The values of a `scope` a token request sent (RFC 6749 §3.3: `scope-token *( SP scope-token )`).
 * An empty one is absent (RFC 6749 §3.1, FormParams); one of spaces only names nothing, and is
 * `invalid_scope` rather than a token that can do nothing, or everything held.
 */
function requestedScopes(requested: string): string[] {
  const scopes = parseScope(requested);
  if (scopes.length === 0) throw new OAuthError('invalid_scope', 'scope of spaces only names no value');
  return scopes;
}

export interface ScopeSelection {
  granted: string[];
  /** Values the server does not understand: ignored (OIDC Core §3.1.2.1). */
  unknown: string[];
  /** Values it understands but will not grant this client: dropped (RFC 6749 §3.3). */
  refused: string[];
}

/**
 * The authorization endpoint's rule: "scope values used that are not understood by an
 * implementation SHOULD be ignored" (OIDC Core §3.1.2.1), and the server "MAY fully or partially
 * ignore the scope requested" as long as the token response says what it granted (RFC 6749 §3.3).
 * So a login never fails over scope; what is granted keeps the requested order.
 */
export function selectScopes(
  requested: readonly string[],
  rules: { known(scope: string): boolean; allowed(scope: string): boolean },
): ScopeSelection {
  const selection: ScopeSelection = { granted: [], unknown: [], refused: [] };
  for (const scope of requested) {
    if (!rules.known(scope)) selection.unknown.push(scope);
    else if (!rules.allowed(scope)) selection.refused.push(scope);
    else selection.granted.push(scope);
  }
  return selection;
}

/** Named in the log as sent: ours, and the OIDC Core §5.4 ones a client may ask for in vain. */
const STANDARD_SCOPES: ReadonlySet<string> = new Set([
  ...OIDC_SCOPES,
  'email',
  'address',
  'phone',
  'offline_access',
  ...SMART_CONTEXT_SCOPES,
]);

/**
 * How a reason (written to the log) names scope values a request sent: the OIDC and SMART ones as
 * sent, any other only counted. A value a client put in `scope` may be a name or an identifier.
 */
export function scopesForTheLog(values: readonly string[]): string {
  const named = values.filter((value) => STANDARD_SCOPES.has(value) || parseSmartResourceScope(value) !== undefined);
  const others = values.length - named.length;
  return [...named, ...(others > 0 ? [`${others} other value${others === 1 ? '' : 's'}`] : [])].join(' ');
}
