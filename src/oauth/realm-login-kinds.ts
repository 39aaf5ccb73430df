import type { Principal } from '../identity/principal.js';
import type { Realm } from '../realms/realm.js';
import { attributeProfile } from '../saml/profiles/profiles.js';

/** The kinds of person who can log in to `realm`: its mocked users' (never in production) and its IdPs' profiles'. */
export function loginKinds(realm: Realm): ReadonlySet<Principal['kind']> {
  return new Set([
    ...realm.config.mockUsers.map((user) => user.kind),
    ...realm.config.identityProviders.map((idp) => attributeProfile(idp.profile).kind),
  ]);
}

/**
 * Whether any token of `realm` can name a person in FHIR, and so carry `fhirUser`, a `patient` and
 * patient-level scopes (SMART App Launch 2.x §"Scopes and launch context"; login/scopes-backed-by-link.ts
 * drops them from a login linked to no one): a citizen's own Patient, a clinician's Practitioner and the
 * patient they choose (contexts/), or what a trusted issuer's subject token names (token exchange,
 * external-subject-claims.ts). A realm of supplier employees and machines only never has one.
 */
export function linksToFhir(realm: Realm): boolean {
  const kinds = loginKinds(realm);
  return kinds.has('citizen') || kinds.has('clinician') || realm.config.trustedIssuers.length > 0;
}
