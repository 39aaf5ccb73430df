/**
 * Attribute sets per profile, with the attribute names written out here rather than imported from
 * src/, so that a misspelt name in the service fails the tests instead of agreeing with them.
 */
export type SamlAttributes = Record<string, string | string[]>;

export const NSIS_LOA = 'https://data.gov.dk/concept/core/nsis/loa';

/** NemLog-in (OIOSAML 3) citizen. */
export function citizenAttributes(
  options: { cpr?: string; loa?: string | null; firstName?: string; lastName?: string } = {},
): SamlAttributes {
  const { cpr = '0101701234', loa = 'Substantial', firstName = 'Karen', lastName = 'Jensen' } = options;
  return {
    'https://data.gov.dk/model/core/eid/cprNumber': cpr,
    'https://data.gov.dk/model/core/eid/firstName': firstName,
    'https://data.gov.dk/model/core/eid/lastName': lastName,
    ...(loa === null ? {} : { [NSIS_LOA]: loa }),
  };
}

export interface PrivilegeGroup {
  scope: string;
  privileges: string[];
}

/** The basic privilege profile XML, base64-encoded as the attribute value carries it. */
export function privilegesAttributeValue(groups: PrivilegeGroup[]): string {
  const body = groups
    .map((g) => `<PrivilegeGroup Scope="${g.scope}">${g.privileges.map((p) => `<Privilege>${p}</Privilege>`).join('')}</PrivilegeGroup>`)
    .join('');
  const xml = `<?xml version="1.0" encoding="UTF-8"?><bpp:PrivilegeList xmlns:bpp="http://itst.dk/oiosaml/basic_privilege_profile" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">${body}</bpp:PrivilegeList>`;
  return Buffer.from(xml, 'utf8').toString('base64');
}

/** Danish clinician IdP (OIOSAML 2 style names). */
export function clinicianAttributes(
  options: { userId?: string; commonName?: string; cpr?: string | null; privileges?: PrivilegeGroup[] | null } = {},
): SamlAttributes {
  const {
    userId = 'CVR:12345678-RID:98765',
    commonName = 'Dr. Hanne Hansen',
    cpr = '0202801234',
    privileges = [
      { scope: 'urn:dk:gov:saml:sorIdentifier:123456', privileges: ['urn:dk:sundhed:role:doctor'] },
      { scope: 'urn:dk:sundhed:ehealth:careteam:ct-42', privileges: ['urn:dk:sundhed:role:doctor', 'urn:dk:sundhed:role:careteam-admin'] },
    ],
  } = options;
  return {
    'urn:oid:0.9.2342.19200300.100.1.1': userId,
    'urn:oid:2.5.4.3': commonName,
    ...(cpr === null ? {} : { 'dk:gov:saml:attribute:CprNumberIdentifier': cpr }),
    ...(privileges === null ? {} : { 'dk:gov:saml:attribute:Privileges_intermediate': privilegesAttributeValue(privileges) }),
  };
}

/** Dutch citizen: the BSN under the default attribute name (`111222333` passes the eleven-test). */
export function bsnAttributes(options: { bsn?: string; attribute?: string } = {}): SamlAttributes {
  return { [options.attribute ?? 'urn:nl-eid-gdi:1.0:id:BSN']: options.bsn ?? '111222333' };
}
