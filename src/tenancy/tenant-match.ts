import { OAuthError } from '../protocol/oauth-error.js';
import { parseOrganisationAgb } from './organisation-agb.js';

/**
 * Does a token's tenant fit the request's `organisation_agb` header? No header: no tenant check.
 * A header: the token must carry that same organisation (a token without one does not match).
 * A malformed header is the caller's error (`invalid_request`).
 */
export function tenantMatches(header: string | string[] | undefined, tokenTenant: unknown): boolean {
  if (header === undefined) return true;
  const parsed = parseOrganisationAgb(Array.isArray(header) ? header.join(',') : header);
  if (!parsed.ok) throw new OAuthError('invalid_request', `malformed organisation_agb header: ${parsed.reason}`);
  return tokenTenant === parsed.code;
}
