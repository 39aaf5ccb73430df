import type { MockUserConfig } from '../config/config.schema.js';
import { minimumLoa } from '../realms/minimum-loa.js';
import type { Realm } from '../realms/realm.js';
import { compareLoa } from '../saml/loa.js';
import { MOCK_ALIAS } from './idp-redirector.js';
import type { Principal } from '../identity/principal.js';

/** The Principal a mocked user stands for: the same shape a SAML attribute profile produces. */
export function mockPrincipal(realm: Realm, user: MockUserConfig): Principal {
  const base = { realm: realm.name, idpAlias: MOCK_ALIAS, externalId: `mock:${user.username}`, name: user.name, loa: user.loa };
  switch (user.kind) {
    case 'citizen':
      return {
        ...base,
        kind: 'citizen',
        ssn: { system: realm.config.patientIdentifierSystem!, value: user.ssn! },
        ...(user.episodeOfCare ? { episodeOfCare: user.episodeOfCare } : {}),
      };
    case 'clinician':
      return {
        ...base,
        kind: 'clinician',
        identifiers: user.identifiers,
        organisations: user.organisations.map(({ system, value, roles }) => ({ identifier: { system, value }, roles })),
        careTeams: user.careTeams,
      };
    case 'generic':
      return { ...base, kind: 'generic', attributes: { username: [user.username] } };
  }
}

/** True when the mocked user's level meets what the realm requires of its kind (realms/minimum-loa.ts). */
export function meetsMinimumLoa(realm: Realm, user: Pick<MockUserConfig, 'kind' | 'loa'>): boolean {
  const minimum = minimumLoa(realm, user.kind);
  return minimum === undefined || compareLoa(user.loa, minimum) >= 0;
}
