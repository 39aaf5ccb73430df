import type { GenericPrincipal } from '../../identity/principal.js';
import { optionalSingle, personName, stableNameId, type AttributeProfile } from './attribute-profile.js';

/**
 * Any other IdP (supplier employees, realm `ssl`): the IdP config's `attributes` map names which
 * attribute holds `externalId`, `givenName`, `familyName` and `name`; the external id falls back to
 * the NameID. Every attribute is passed on as received.
 */
export const genericProfile: AttributeProfile = {
  requestsNsisLoa: false,
  kind: 'generic',
  toPrincipal(assertion, { realm, idp }): GenericPrincipal {
    const names = idp.attributes ?? {};
    const pick = (key: string) => (names[key] ? optionalSingle(assertion, names[key]) : undefined);
    return {
      kind: 'generic',
      realm: realm.name,
      idpAlias: idp.alias,
      externalId: pick('externalId') ?? stableNameId(assertion, false),
      name: personName(pick('givenName'), pick('familyName'), pick('name')),
      attributes: Object.fromEntries([...assertion.attributes].map(([name, values]) => [name, [...values]])),
    };
  },
};
