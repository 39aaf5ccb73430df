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
 * Whether any token of `realm` can carry a `patient`, and with it patient-level scopes (SMART App
 * Launch 2.x §"Scopes and launch context"): a citizen's own, the one a clinician chooses (contexts/),
 * or one a trusted issuer's subject token names (token exchange, external-subject-claims.ts). A realm
 * of supplier employees and machines only drops those scopes from every token.
 */
export function grantsPatientScopes(realm: Realm): boolean {
  const kinds = loginKinds(realm);
  return kinds.has('citizen') || kinds.has('clinician') || realm.config.trustedIssuers.length > 0;
}
