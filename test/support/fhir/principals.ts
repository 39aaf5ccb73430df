import { createHash, randomInt, randomUUID } from 'node:crypto';
import type { CareTeamPrivileges, CitizenPrincipal, ClinicianPrincipal, OrganisationPrivileges } from '../../../src/identity/principal.js';

export const CPR_SYSTEM = 'urn:oid:1.2.208.176.1.2';
export const BSN_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/bsn';
export const SOR_SYSTEM = 'urn:oid:1.2.208.176.1.1';
export const AGB_Z_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/agb-z';

/** The demo seed (fixtures/fhir/demo.json): fake identifiers, named as demo data. */
export const DEMO = {
  cpr: { nancy: '0101011234', bo: '0202021234', duplicated: '0404041234', unknown: '0909091234' },
  bsn: { jan: '999911120' },
  sor: { hospital: '999000000000101', gpPractice: '999000000000202', unknown: '999000000009999' },
  agb: { gpPractice: '01234567' },
  careTeam: { cardiology: 'DEMO-CT-CARDIOLOGY', diabetes: 'DEMO-CT-DIABETES', copd: 'DEMO-CT-COPD' },
  careTeamId: { cardiology: 'demo-careteam-cardiology', diabetes: 'demo-careteam-diabetes', copd: 'demo-careteam-copd' },
  organizationId: { hospital: 'demo-org-hospital', gpPractice: 'demo-org-gp-practice' },
} as const;

export const ROLE = {
  doctor: 'urn:dk:healthcare:demo:role:doctor',
  nurse: 'urn:dk:healthcare:demo:role:nurse',
  secretary: 'urn:dk:healthcare:demo:role:secretary',
} as const;

export function citizen(value: string, system: string = CPR_SYSTEM): CitizenPrincipal {
  return { kind: 'citizen', realm: 'nemlogin', idpAlias: 'nemlog-in', externalId: randomUUID(), ssn: { system, value } };
}

/** A fake, per-test unique clinician id, so tests sharing one FHIR server never meet. */
export function uniqueClinicianId(): string {
  return `DEMO-CLIN-${randomUUID()}`;
}

export function clinician(
  id: string,
  options: {
    family?: string;
    given?: string[];
    organisations?: OrganisationPrivileges[];
    careTeams?: CareTeamPrivileges[];
    cpr?: string;
  } = {},
): ClinicianPrincipal {
  return {
    kind: 'clinician',
    realm: 'ehealth',
    idpAlias: 'sundhed-dk',
    externalId: id,
    name: { family: options.family ?? 'Demo-Hansen', given: options.given ?? ['Hanne'] },
    identifiers: [
      { system: 'urn:dk:healthcare:demo:clinician-id', value: id },
      { system: CPR_SYSTEM, value: options.cpr ?? fakeCpr(id) },
    ],
    organisations: options.organisations ?? [],
    careTeams: options.careTeams ?? [],
  };
}

export const sor = (value: string, roles: string[]): OrganisationPrivileges => ({ identifier: { system: SOR_SYSTEM, value }, roles });

/**
 * Shaped like a CPR (DDMMYY + 4 digits, born 1990, serial 9xxx) and fake. Derived from `seed` when
 * given, so one clinician id always carries the same CPR: a different CPR is a changed assertion.
 */
export function fakeCpr(seed?: string): string {
  const n = seed === undefined ? randomInt(0, 81_000) : createHash('sha256').update(seed).digest().readUInt32BE(0) % 81_000;
  const day = 1 + (n % 9);
  const month = 1 + (Math.floor(n / 9) % 9);
  const serial = 9000 + Math.floor(n / 81);
  return `0${day}0${month}90${serial}`;
}

/**
 * A stored Practitioner that already matches `principal` as asserted (version 1, active, its
 * identifiers and name), for stub servers: a login then needs to write nothing for it.
 */
export function storedPractitioner(principal: ClinicianPrincipal, id = 'p-me', identifier: object[] = principal.identifiers) {
  return {
    resourceType: 'Practitioner',
    id,
    meta: { versionId: '1' },
    active: true,
    identifier,
    name: [{ use: 'official', family: principal.name?.family, given: principal.name?.given }],
  };
}
