import { Inject, Injectable } from '@nestjs/common';
import { ASSERTION_ALGORITHMS } from '../clients/client-assertion.verifier.js';
import type { Realm } from '../realms/realm.js';
import { supportedScopes } from './discovery.service.js';
import { GRANT_HANDLERS, type GrantHandler } from './grants/grant-handler.js';
import { linksToFhir, loginKinds } from './realm-login-kinds.js';

/**
 * SMART App Launch 2.2 §"Conformance" capabilities this service can have: a standalone launch,
 * authorization requests by GET or form POST, public clients, clients with a secret and clients with
 * registered keys (`private_key_jwt` with RS384 and ES384 among its algorithms, as
 * client-confidential-asymmetric asks), v1 and v2 scope syntax in patient and user context, and
 * no EHR launch: nothing here hands out a `launch` parameter.
 * `permission-online` but no `permission-offline`: a refresh token lives only as long as its session,
 * `offline_access` or not. The two patient ones, and SMART's OpenID Connect profile, hold only in some
 * realms (smartCapabilities).
 */
export const SMART_CAPABILITIES = [
  'launch-standalone',
  'authorize-post',
  'client-public',
  'client-confidential-symmetric',
  'client-confidential-asymmetric',
  'context-standalone-patient',
  'permission-online',
  'permission-v2',
  'permission-v1',
  'permission-patient',
  'permission-user',
  'sso-openid-connect',
] as const;

/**
 * The capabilities of `realm`. A server advertises what it does (SMART App Launch 2.x §"Conformance",
 * "Capabilities"), and what a launch gets of a patient depends on who can log in to the realm:
 * - `context-standalone-patient`, "support for standalone launch with patient context" (the app asks
 *   `launch/patient`, the token response names the `patient`): only a citizen's login has one, their
 *   own Patient (identity/default-context.ts). A clinician's launch answers no `patient`: they choose
 *   one later, by a refresh with `patient_id` (contexts/), which is no SMART launch and which no SMART
 *   client (fhirclient) makes. Supplier employees (`generic`) are not in FHIR at all.
 * - `permission-patient`, "support for patient-level scopes": granted only beside a `patient`
 *   (§"Scopes and launch context"; tokens/session-tokens.issuer.ts), so where citizens log in, and
 *   where clinicians do: their refresh token keeps `patient/…`, and their tokens carry it, with
 *   `patient`, once they have chosen a patient (login/scopes-backed-by-link.ts); and where a trusted
 *   issuer's subject tokens may name a patient (token exchange). Not in a realm of supplier employees
 *   and machines only, whose every token goes without (realm-login-kinds.ts).
 * - `sso-openid-connect`, "support for SMART's OpenID Connect profile": an ID token naming the person's
 *   FHIR resource as `fhirUser` when the app asks for it. Only a citizen's or a clinician's login has
 *   one; a supplier employee's ID token never does.
 */
export function smartCapabilities(realm: Realm): string[] {
  const held: Partial<Record<(typeof SMART_CAPABILITIES)[number], boolean>> = {
    'context-standalone-patient': loginKinds(realm).has('citizen'),
    'permission-patient': linksToFhir(realm),
    'sso-openid-connect': loginKinds(realm).has('citizen') || loginKinds(realm).has('clinician'),
  };
  return SMART_CAPABILITIES.filter((capability) => held[capability] ?? true);
}

/** `/.well-known/smart-configuration` (SMART App Launch 2.x §"Conformance"), from the same facts as discovery. */
@Injectable()
export class SmartConfigurationService {
  constructor(@Inject(GRANT_HANDLERS) private readonly grants: GrantHandler[]) {}

  configuration(realm: Realm): Record<string, unknown> {
    return {
      issuer: realm.issuer,
      jwks_uri: realm.endpoints.jwks,
      authorization_endpoint: realm.endpoints.authorization,
      token_endpoint: realm.endpoints.token,
      introspection_endpoint: realm.endpoints.introspection,
      revocation_endpoint: realm.endpoints.revocation,
      userinfo_endpoint: realm.endpoints.userinfo,
      grant_types_supported: this.grants.map((grant) => grant.grantType),
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
      token_endpoint_auth_signing_alg_values_supported: [...ASSERTION_ALGORITHMS],
      scopes_supported: supportedScopes(realm),
      capabilities: smartCapabilities(realm),
    };
  }
}
