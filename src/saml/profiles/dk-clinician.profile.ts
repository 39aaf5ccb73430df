import { isCprNumber } from '../../common/national-identifier-shape.js';
import type { ClinicianPrincipal, Identifier } from '../../identity/principal.js';
import { ProfileError, optionalSingle, personName, requireSingle, type AttributeProfile } from './attribute-profile.js';
import { CPR_SYSTEM } from '../../config/national-identifier-systems.js';
import { PrivilegeProfileError, parsePrivilegeProfile } from './privilege-profile.js';

/** The Danish clinician IdP's OIOSAML 2 style attribute names (DOMAIN.md). */
export const DK_CLINICIAN = {
  userId: 'urn:oid:0.9.2342.19200300.100.1.1',
  commonName: 'urn:oid:2.5.4.3',
  cpr: 'dk:gov:saml:attribute:CprNumberIdentifier',
  privileges: 'dk:gov:saml:attribute:Privileges_intermediate',
} as const;

/**
 * Identifier system of the clinician IdP's user id (`uid`) on the Practitioner. The IdP defines no
 * FHIR system for it; this URN names "the eHealth user id" and is what the Practitioner is found by.
 */
export const CLINICIAN_USER_ID_SYSTEM = 'urn:dk:sundhed:ehealth:userid';

/**
 * Clinicians: `uid` is the external id and the Practitioner's first identifier; the CPR number, when
 * sent, a second one; the common name the name text; the privilege profile their organisations
 * and care teams with roles (privilege-profile.ts).
 */
export const dkClinicianProfile: AttributeProfile = {
  requestsNsisLoa: false,
  kind: 'clinician',
  toPrincipal(assertion, { realm, idp }): ClinicianPrincipal {
    const userId = requireSingle(assertion, DK_CLINICIAN.userId);
    const identifiers: Identifier[] = [{ system: CLINICIAN_USER_ID_SYSTEM, value: userId }];
    const cpr = optionalSingle(assertion, DK_CLINICIAN.cpr);
    if (cpr !== undefined) {
      if (!isCprNumber(cpr)) throw new ProfileError(`attribute ${DK_CLINICIAN.cpr} is not a CPR number`);
      identifiers.push({ system: CPR_SYSTEM, value: cpr });
    }
    let privileges;
    try {
      privileges = parsePrivilegeProfile(assertion.attributes.get(DK_CLINICIAN.privileges) ?? []);
    } catch (error) {
      if (error instanceof PrivilegeProfileError) throw new ProfileError(error.message);
      throw error;
    }
    return {
      kind: 'clinician',
      realm: realm.name,
      idpAlias: idp.alias,
      externalId: userId,
      name: personName(undefined, undefined, optionalSingle(assertion, DK_CLINICIAN.commonName)),
      identifiers,
      organisations: privileges.organisations,
      careTeams: privileges.careTeams,
    };
  },
};
