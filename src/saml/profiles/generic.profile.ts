import type { GenericPrincipal } from '../../identity/principal.js';
import { optionalSingle, personName, requireSingle, stableNameId, type AttributeProfile } from './attribute-profile.js';

/**
 * Any other IdP (supplier employees, realm `ssl`): the IdP config's `attributes` map names which
 * attribute holds `externalId`, `givenName`, `familyName` and `name`. The external id is that
 * attribute, required when it is named, or else the NameID; never one or the other assertion by
 * assertion, since both end up as the same user key, and an assertion without the attribute would
 * then be the user whose attribute equals its NameID. Every attribute is passed on as received.
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
      externalId: names.externalId ? requireSingle(assertion, names.externalId) : stableNameId(assertion, false),
      name: personName(pick('givenName'), pick('familyName'), pick('name')),
      attributes: Object.fromEntries([...assertion.attributes].map(([name, values]) => [name, [...values]])),
    };
  },
};
