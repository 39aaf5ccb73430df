import { Inject, Injectable } from '@nestjs/common';
import { signingAlg } from '../config/shared-values.schema.js';
import { RESPONSE_MODES } from '../protocol/authorization-response.js';
import { ASSERTION_ALGORITHMS } from '../clients/client-assertion.verifier.js';
import { LOCALES } from '../login/pages/catalogue.js';
import type { Realm } from '../realms/realm.js';
import { GRANT_HANDLERS, type GrantHandler } from './grants/grant-handler.js';
import { needsPatientContext } from '../protocol/smart-scope.js';
import { linksToFhir } from './realm-login-kinds.js';

/**
 * Authorization server metadata (RFC 8414 §2; OpenID Connect Discovery 1.0 §3), listing exactly
 * what this deployment implements: grant types come from the registered grant handlers.
 */
@Injectable()
export class DiscoveryService {
  constructor(@Inject(GRANT_HANDLERS) private readonly grants: GrantHandler[]) {}

  metadata(realm: Realm): Record<string, unknown> {
    return {
      issuer: realm.issuer,
      authorization_endpoint: realm.endpoints.authorization,
      token_endpoint: realm.endpoints.token,
      jwks_uri: realm.endpoints.jwks,
      introspection_endpoint: realm.endpoints.introspection,
      revocation_endpoint: realm.endpoints.revocation,
      userinfo_endpoint: realm.endpoints.userinfo,
      end_session_endpoint: realm.endpoints.endSession,
      // As Keycloak lists it: keycloak-js configured by discovery (`oidcProvider`) frames it to check
      // the session, and refuses to start without it unless `checkLoginIframe` is off.
      check_session_iframe: realm.endpoints.checkSessionIframe,
      // OIDC Back-Channel Logout 1.0 §2.1: logout tokens to clients' backchannelLogoutUri, always with `sid`.
      backchannel_logout_supported: true,
      backchannel_logout_session_supported: true,
      grant_types_supported: this.grants.map((grant) => grant.grantType),
      response_types_supported: ['code'],
      response_modes_supported: [...RESPONSE_MODES],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
      // Discovery §3: request_uri_parameter_supported defaults to true when absent; neither form is.
      request_parameter_supported: false,
      request_uri_parameter_supported: false,
      id_token_signing_alg_values_supported: idTokenSigningAlgs(realm),
      // `none`: public clients (RFC 8414 §2) redeem their codes with PKCE and no secret.
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
      token_endpoint_auth_signing_alg_values_supported: [...ASSERTION_ALGORITHMS],
      introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
      revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
      // RFC 8414 §2: REQUIRED where the endpoint takes private_key_jwt; the same verifier as the token endpoint's.
      introspection_endpoint_auth_signing_alg_values_supported: [...ASSERTION_ALGORITHMS],
      revocation_endpoint_auth_signing_alg_values_supported: [...ASSERTION_ALGORITHMS],
      scopes_supported: supportedScopes(realm),
      subject_types_supported: ['public'],
      // Every claim an ID token (session-tokens.issuer.ts) or UserInfo may carry.
      claims_supported: [
        'sub',
        'iss',
        'aud',
        'azp',
        'exp',
        'iat',
        'jti',
        'auth_time',
        'nonce',
        'acr',
        'sid',
        'at_hash',
        'name',
        'given_name',
        'family_name',
        // Claims it "MAY be able to supply values for" (Discovery §3): none names a FHIR resource in a realm where no token can.
        ...(linksToFhir(realm) ? ['fhirUser', 'patient'] : []),
        'user_type',
      ],
      access_token_signing_alg_values_supported: [realm.config.signingAlg],
      // The languages of the login, error and logout pages, as `ui_locales` (OIDC Core §3.1.2.1) chooses them.
      ui_locales_supported: [...LOCALES],
    };
  }
}

/**
 * Every algorithm a client's ID tokens may be signed with (`idTokenSignedResponseAlg`): the realm's
 * own first, then those its clients use, then the rest a client may be configured for. Discovery §3
 * says RS256 MUST be listed, and a client needs no published key of an algorithm it does not use.
 */
function idTokenSigningAlgs(realm: Realm): string[] {
  return [...new Set([...realm.signingAlgs, ...signingAlg.options])];
}

/**
 * The realm's scope catalogue, and whatever its clients are registered for beyond it (e.g. `system/…`),
 * less what no login here is ever granted. Discovery's and SMART's `scopes_supported` (SMART App Launch
 * 2.x §"Conformance") list scopes the server supports, and both documents read this one list.
 */
export function supportedScopes(realm: Realm): string[] {
  const registered = realm.config.clients.flatMap((client) => client.scopes);
  const fhirPersons = linksToFhir(realm);
  return [...new Set([...realm.scopeCatalogue.listing(), ...registered])].filter(
    // offline_access: never granted, even to a client registered for it (ScopeCatalogue.selectForLogin).
    // fhirUser, launch/patient, patient/…: granted only beside a person in FHIR, whom no token of some realms names.
    (scope) => scope !== 'offline_access' && (fhirPersons || (scope !== 'fhirUser' && !needsPatientContext(scope))),
  );
}
