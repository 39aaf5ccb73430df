import { AGB_SYSTEM, ORGANISATION_AGB_HEADER, parseOrganisationAgb } from '../tenancy/organisation-agb.js';
import { FhirRequestError } from './fhir.errors.js';
import type { FhirCallOptions, SearchParams } from './fhir-resources.js';

/** Search parameters as a query string; a parameter given several values is repeated (FHIR search: repeated parameters are joined by AND). */
export function queryString(params: SearchParams): string {
  const pairs = Object.entries(params).flatMap(([name, value]) =>
    (Array.isArray(value) ? value : [value]).map((v): [string, string] => [name, v]),
  );
  return new URLSearchParams(pairs).toString();
}

/** The tenant a call acts for, as the `organisation_agb` header (`{AGB system}|{code}`); a malformed code is refused before sending. */
export function tenantHeader(options: FhirCallOptions): Record<string, string> {
  if (options.tenant === undefined) return {};
  const parsed = parseOrganisationAgb(options.tenant);
  if (!parsed.ok) throw new FhirRequestError(`organisation_agb: ${parsed.reason}`);
  return { [ORGANISATION_AGB_HEADER]: `${AGB_SYSTEM}|${parsed.code}` };
}

/** Each request's own timeout, and the caller's deadline when it has one (whichever ends first). */
export function requestSignal(timeoutMs: number, deadline: AbortSignal | undefined): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return deadline === undefined ? timeout : AbortSignal.any([timeout, deadline]);
}

/**
 * Whether `url` is the FHIR base `base` or under it (HAPI pages at the base itself, `base?_getpages=`).
 * Another path of the same origin may be another server: another realm's base on the embedded one,
 * another tenant of a server partitioned by path.
 */
export function isUnderBase(url: URL, base: string): boolean {
  const { origin, pathname } = new URL(base);
  const path = pathname.replace(/\/+$/, '');
  return url.origin === origin && (url.pathname === path || url.pathname.startsWith(`${path}/`));
}
