import { LEVELS_OF_ASSURANCE, type MockUserConfig } from '../config/config.schema.js';
import type { Realm } from '../realms/realm.js';
import { MOCK_ALIAS } from './idp-redirector.js';
import type { Principal } from '../identity/principal.js';

/** The Principal a mocked user stands for: the same shape a SAML attribute profile produces. */
export function mockPrincipal(realm: Realm, user: MockUserConfig): Principal {
  const base = { realm: realm.name, idpAlias: MOCK_ALIAS, externalId: `mock:${user.username}`, name: user.name, loa: user.loa };
  switch (user.kind) {
    case 'citizen':
      return { ...base, kind: 'citizen', ssn: { system: realm.config.patientIdentifierSystem!, value: user.ssn! } };
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

/** True when `loa` meets the realm's minimum level of assurance (none configured: anything does). */
export function meetsMinimumLoa(realm: Realm, loa: string | undefined): boolean {
  const minimum = realm.config.minimumLoa;
  if (!minimum) return true;
  const rank = (level: string | undefined) => LEVELS_OF_ASSURANCE.indexOf(level as (typeof LEVELS_OF_ASSURANCE)[number]);
  return rank(loa) >= rank(minimum);
}
