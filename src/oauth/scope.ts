import { OAuthError } from './oauth.error.js';

/**
 * RFC 6749 §3.3: the requested scope is a space-delimited, case-sensitive list. Absent, the client
 * gets its registered scopes; a scope outside `allowed` is `invalid_scope` (never silently dropped,
 * so a client always knows what it holds).
 */
export function grantScopes(requested: string | undefined, allowed: readonly string[]): string[] {
  if (requested === undefined) return [...allowed];
  const scopes = [...new Set(requested.split(' ').filter((s) => s !== ''))];
  const refused = scopes.filter((scope) => !allowed.includes(scope));
  if (refused.length > 0) throw new OAuthError('invalid_scope', `scope not allowed: ${refused.join(' ')}`);
  return scopes;
}
