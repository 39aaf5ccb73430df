import type { CitizenPrincipal } from '../../identity/principal.js';
import {
  PERSISTENT_NAME_ID,
  ProfileError,
  optionalSingle,
  personName,
  requireSingle,
  stableNameId,
  type AttributeProfile,
} from './attribute-profile.js';

/** OIOSAML 3 (NemLog-in) attribute names (DOMAIN.md). */
export const OIOSAML3 = {
  cpr: 'https://data.gov.dk/model/core/eid/cprNumber',
  firstName: 'https://data.gov.dk/model/core/eid/firstName',
  lastName: 'https://data.gov.dk/model/core/eid/lastName',
} as const;

export const CPR_SYSTEM = 'urn:oid:1.2.208.176.1.2';

/**
 * NemLog-in citizens: the CPR number becomes the social security number (system: the realm's
 * `patientIdentifierSystem`, CPR's OID by default); the persistent NameID is the external id.
 */
export const oiosaml3CitizenProfile: AttributeProfile = {
  nameIdFormat: PERSISTENT_NAME_ID,
  requestsNsisLoa: true,
  toPrincipal(assertion, { realm, idp }): CitizenPrincipal {
    const cpr = requireSingle(assertion, OIOSAML3.cpr);
    // Ten digits; no modulus-11 test, which CPR numbers issued since 2007 need not pass.
    if (!/^\d{10}$/.test(cpr)) throw new ProfileError(`attribute ${OIOSAML3.cpr} is not a CPR number`);
    return {
      kind: 'citizen',
      realm: realm.name,
      idpAlias: idp.alias,
      externalId: stableNameId(assertion, true),
      name: personName(optionalSingle(assertion, OIOSAML3.firstName), optionalSingle(assertion, OIOSAML3.lastName)),
      ssn: { system: realm.config.patientIdentifierSystem ?? CPR_SYSTEM, value: cpr },
    };
  },
};
