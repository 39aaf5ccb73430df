import type * as fhir4 from 'fhir/r4.js';
import type { ClinicianPrincipal, Identifier, PersonName } from '../../identity/principal.js';

/** The Practitioner of a clinician's first login (DOMAIN.md: clinicians are "turned into Practitioner"). */
export function newPractitioner(principal: ClinicianPrincipal): fhir4.Practitioner {
  const name = officialName(principal.name);
  return {
    resourceType: 'Practitioner',
    active: true,
    identifier: principal.identifiers.map(toFhirIdentifier),
    ...(name ? { name: [name] } : {}),
  };
}

/**
 * The stored Practitioner changed to match the assertion, or undefined when it already matches, so
 * an unchanged clinician costs no write and no new version. What the assertion owns: identifiers
 * of the systems it names (other systems are kept, e.g. an id another registry added), and the
 * `official` name when it carries one.
 */
export function planPractitioner(principal: ClinicianPrincipal, existing: fhir4.Practitioner): fhir4.Practitioner | undefined {
  const identifier = mergeIdentifiers(existing.identifier, principal.identifiers);
  const name = mergeName(existing.name, officialName(principal.name));
  if (identifier === undefined && name === undefined) return undefined;
  return { ...existing, ...(identifier ? { identifier } : {}), ...(name ? { name } : {}) };
}

/** Undefined when nothing changes. */
export function mergeIdentifiers(existing: fhir4.Identifier[] | undefined, asserted: Identifier[]): fhir4.Identifier[] | undefined {
  const current = existing ?? [];
  const systems = new Set(asserted.map((i) => i.system));
  const isAsserted = (i: fhir4.Identifier) => asserted.some((a) => a.system === i.system && a.value === i.value);
  const stale = current.filter((i) => i.system !== undefined && systems.has(i.system) && !isAsserted(i));
  const missing = asserted.filter((a) => !current.some((i) => i.system === a.system && i.value === a.value));
  if (stale.length === 0 && missing.length === 0) return undefined;
  return [...current.filter((i) => !stale.includes(i)), ...missing.map(toFhirIdentifier)];
}

/** Undefined when nothing changes, or when the assertion names nobody. */
export function mergeName(existing: fhir4.HumanName[] | undefined, wanted: fhir4.HumanName | undefined): fhir4.HumanName[] | undefined {
  if (wanted === undefined) return undefined;
  const current = existing ?? [];
  const index = current.findIndex((n) => n.use === 'official');
  if (index !== -1 && sameName(current[index], wanted)) return undefined;
  return index === -1 ? [wanted, ...current] : current.map((n, i) => (i === index ? wanted : n));
}

export function officialName(name: PersonName | undefined): fhir4.HumanName | undefined {
  if (name === undefined || (name.family === undefined && !name.given?.length && name.text === undefined)) return undefined;
  return {
    use: 'official',
    ...(name.text !== undefined ? { text: name.text } : {}),
    ...(name.family !== undefined ? { family: name.family } : {}),
    ...(name.given?.length ? { given: [...name.given] } : {}),
  };
}

function sameName(a: fhir4.HumanName | undefined, b: fhir4.HumanName): boolean {
  return a?.text === b.text && a?.family === b.family && JSON.stringify(a?.given ?? []) === JSON.stringify(b.given ?? []);
}

function toFhirIdentifier({ system, value }: Identifier): fhir4.Identifier {
  return { system, value };
}
