import type { CitizenPrincipal } from '../../identity/principal.js';
import { isBsn } from '../../common/national-identifier-shape.js';
import { DIGID_LOA_CLASSES } from '../loa.js';
import {
  ProfileError,
  optionalSingle,
  personName,
  requireNameIdAgrees,
  stableNameId,
  type AssertionAttributes,
  type AttributeProfile,
} from './attribute-profile.js';
import { BSN_SYSTEM } from '../../config/national-identifier-systems.js';

/** Default attribute carrying the BSN; the IdP config's `attributes.bsn` overrides it. */
export const BSN_ATTRIBUTE = 'urn:nl-eid-gdi:1.0:id:BSN';

/** A NameID carrying the BSN: bare, or behind DigiD's sector code for the BSN (`s00000000:`). */
const BSN_NAME_ID = /^(?:s00000000:)?(\d{9})$/;

/**
 * DigiD's own NameID: `{sector code}:{number}`, where `s00000000` is the BSN's sector (`s00000001`
 * the SoFi number's). DigiD itself states the BSN there (Logius, DigiD SAML koppelvlakspecificatie);
 * a BSN attribute such as `urn:nl-eid-gdi:1.0:id:BSN` is what brokers add. Only this explicit form
 * stands in for a missing attribute: a bare number says nothing of what it is.
 */
const DIGID_BSN_NAME_ID = /^s00000000:(\d{9})$/;

/**
 * Dutch citizens: the BSN attribute is the person, and becomes the social security number the FHIR
 * link follows; without one, DigiD's NameID `s00000000:{BSN}` is. The NameID (not transient) is the
 * external id, and when it carries a BSN it must be that same BSN (requireNameIdAgrees).
 * `attributes.givenName` / `attributes.familyName` name optional name attributes.
 */
export const nlCitizenProfile: AttributeProfile = {
  requestsNsisLoa: false,
  kind: 'citizen',
  // DigiD states the level only as the AuthnContextClassRef (its own classes, or eIDAS's), and is asked in its classes.
  assurance: { requestedClasses: DIGID_LOA_CLASSES, statedInAuthnContext: true },
  toPrincipal(assertion, { realm, idp }): CitizenPrincipal {
    const names = idp.attributes ?? {};
    const bsnAttribute = names.bsn ?? BSN_ATTRIBUTE;
    const bsn = bsnOf(assertion, bsnAttribute);
    const externalId = stableNameId(assertion, false);
    requireNameIdAgrees(externalId, BSN_NAME_ID, bsn, 'BSN');
    const given = names.givenName ? optionalSingle(assertion, names.givenName) : undefined;
    const family = names.familyName ? optionalSingle(assertion, names.familyName) : undefined;
    return {
      kind: 'citizen',
      realm: realm.name,
      idpAlias: idp.alias,
      externalId,
      name: personName(given, family),
      ssn: { system: BSN_SYSTEM, value: bsn },
    };
  },
};

/** The BSN the attribute states, or else DigiD's NameID; refused, naming where it looked, when neither holds one. */
function bsnOf(assertion: AssertionAttributes, attribute: string): string {
  const stated = optionalSingle(assertion, attribute);
  if (stated !== undefined) {
    if (!isBsn(stated)) throw new ProfileError(`attribute ${attribute} is not a BSN`);
    return stated;
  }
  const carried = DIGID_BSN_NAME_ID.exec(assertion.nameId?.value ?? '')?.[1];
  if (carried === undefined) throw new ProfileError(`missing attribute ${attribute}, and no DigiD BSN NameID`);
  if (!isBsn(carried)) throw new ProfileError('the DigiD NameID holds no BSN');
  return carried;
}
