import { OAuthError } from '../protocol/oauth-error.js';
import { parseOrganisationAgb } from './organisation-agb.js';

/**
 * The AGB code a request's `organisation_agb` header names; undefined without the header. A
 * malformed header is the caller's error (`invalid_request`); a repeated header arrives joined with
 * commas and is malformed.
 */
export function tenantNamedBy(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const parsed = parseOrganisationAgb(Array.isArray(header) ? header.join(',') : header);
  if (!parsed.ok) throw new OAuthError('invalid_request', `malformed organisation_agb header: ${parsed.reason}`);
  return parsed.code;
}

/**
 * The AGB code a refused request asked to act for, for its audit event (an auditor asks "who tried to
 * act for this organisation"); undefined without the header or with a malformed one, whose bytes are
 * no organisation's and stay out of the trail.
 */
export function tenantAskedFor(header: string | string[] | undefined): string | undefined {
  try {
    return tenantNamedBy(header);
  } catch {
    return undefined;
  }
}

/**
 * Does a token's tenant fit the request's `organisation_agb` header? No header: no tenant check.
 * A header: the token must carry that same organisation (a token without one does not match).
 */
export function tenantMatches(header: string | string[] | undefined, tokenTenant: unknown): boolean {
  const named = tenantNamedBy(header);
  return named === undefined || tokenTenant === named;
}
