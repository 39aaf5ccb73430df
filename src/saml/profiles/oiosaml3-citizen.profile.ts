import { isCprNumber } from '../../common/national-identifier-shape.js';
import type { CitizenPrincipal } from '../../identity/principal.js';
import { NSIS_LOA_CLASSES } from '../loa.js';
import {
  PERSISTENT_NAME_ID,
  ProfileError,
  optionalSingle,
  personName,
  requireNameIdAgrees,
  requireSingle,
  stableNameId,
  type AttributeProfile,
} from './attribute-profile.js';
import { CPR_SYSTEM } from '../../config/national-identifier-systems.js';

/** OIOSAML 3 (NemLog-in) attribute names (DOMAIN.md). */
export const OIOSAML3 = {
  cpr: 'https://data.gov.dk/model/core/eid/cprNumber',
  firstName: 'https://data.gov.dk/model/core/eid/firstName',
  lastName: 'https://data.gov.dk/model/core/eid/lastName',
} as const;

/** A NameID that is a CPR number; NemLog-in's persistent NameID is a UUID URI, never one. */
const CPR_NAME_ID = /^(\d{10})$/;

/**
 * NemLog-in citizens: the CPR number becomes the social security number (system: the realm's
 * `patientIdentifierSystem`, CPR's OID by default); the persistent NameID is the external id, and
 * if it is a CPR number it must be that same one (requireNameIdAgrees).
 */
export const oiosaml3CitizenProfile: AttributeProfile = {
  nameIdFormat: PERSISTENT_NAME_ID,
  requestsNsisLoa: true,
  kind: 'citizen',
  // OIOSAML 3: the NSIS level attribute is mandatory and authoritative; the request asks in NSIS's classes.
  assurance: { requestedClasses: NSIS_LOA_CLASSES, statedInAuthnContext: false },
  toPrincipal(assertion, { realm, idp }): CitizenPrincipal {
    const cpr = requireSingle(assertion, OIOSAML3.cpr);
    if (!isCprNumber(cpr)) throw new ProfileError(`attribute ${OIOSAML3.cpr} is not a CPR number`);
    const externalId = stableNameId(assertion, true);
    requireNameIdAgrees(externalId, CPR_NAME_ID, cpr, 'CPR');
    return {
      kind: 'citizen',
      realm: realm.name,
      idpAlias: idp.alias,
      externalId,
      name: personName(optionalSingle(assertion, OIOSAML3.firstName), optionalSingle(assertion, OIOSAML3.lastName)),
      ssn: { system: realm.config.patientIdentifierSystem ?? CPR_SYSTEM, value: cpr },
    };
  },
};
