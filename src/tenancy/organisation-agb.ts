/**
 * The `organisation_agb` header names the tenant of a call (Spreekuur multi-tenancy): either
 * `http://fhir.nl/fhir/NamingSystem/agb-z|{code}` or the bare code. An AGB code is 8 digits.
 */
export const AGB_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/agb-z';
export const ORGANISATION_AGB_HEADER = 'organisation_agb';

export type ParsedAgb = { ok: true; code: string } | { ok: false; reason: string };

export function parseOrganisationAgb(value: string): ParsedAgb {
  const separator = value.indexOf('|');
  const system = separator === -1 ? undefined : value.slice(0, separator);
  const code = separator === -1 ? value : value.slice(separator + 1);
  if (system !== undefined && system !== AGB_SYSTEM) return { ok: false, reason: 'identifier system is not AGB-Z' };
  if (!/^\d{8}$/.test(code)) return { ok: false, reason: 'AGB code is not 8 digits' };
  return { ok: true, code };
}
