import type * as fhir4 from 'fhir/r4.js';

/**
 * The clinician IdP's privileges are role URNs (DOMAIN.md, "basic privilege profile"). They are
 * stored as codings whose system is `urn:ietf:rfc:3986` — "the code is a URI" — because each role
 * is its own globally unique identifier and no separate code system names them.
 */
export const ROLE_CODE_SYSTEM = 'urn:ietf:rfc:3986';

/** Sorted, without repeats: the order of privileges in an assertion means nothing. */
export function normaliseRoles(roles: Iterable<string>): string[] {
  return [...new Set(roles)].sort();
}

/** The roles this service wrote into `PractitionerRole.code` or `CareTeam.participant.role`. */
export function rolesOf(concepts: fhir4.CodeableConcept[] | undefined): string[] {
  const codes = (concepts ?? []).flatMap((c) => c.coding ?? []).filter((c) => c.system === ROLE_CODE_SYSTEM && c.code);
  return normaliseRoles(codes.map((c) => c.code as string));
}

export function sameRoles(a: Iterable<string>, b: Iterable<string>): boolean {
  const left = normaliseRoles(a);
  const right = normaliseRoles(b);
  return left.length === right.length && left.every((role, i) => role === right[i]);
}

/**
 * Our roles as concepts, keeping concepts other writers coded in other systems: this service owns
 * only the roles it took from an assertion.
 */
export function withRoles(existing: fhir4.CodeableConcept[] | undefined, roles: Iterable<string>): fhir4.CodeableConcept[] | undefined {
  const foreign = (existing ?? []).filter((c) => !(c.coding ?? []).some((coding) => coding.system === ROLE_CODE_SYSTEM));
  const ours = normaliseRoles(roles).map((code) => ({ coding: [{ system: ROLE_CODE_SYSTEM, code }] }));
  const concepts = [...ours, ...foreign];
  return concepts.length > 0 ? concepts : undefined;
}
