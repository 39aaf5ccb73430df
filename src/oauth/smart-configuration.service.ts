import { Inject, Injectable } from '@nestjs/common';
import { ASSERTION_ALGORITHMS } from '../clients/client-assertion.verifier.js';
import type { Realm } from '../realms/realm.js';
import { supportedScopes } from './discovery.service.js';
import { GRANT_HANDLERS, type GrantHandler } from './grants/grant-handler.js';

/**
 * SMART App Launch 2.2 §"Conformance" capabilities this service has: a standalone launch
 * (`launch/patient` gives the logged-in citizen's patient), authorization requests by GET or form
 * POST, public clients, clients with a secret and clients with registered keys (`private_key_jwt`
 * with RS384 and ES384 among its algorithms, as client-confidential-asymmetric asks), v1 and v2
 * scope syntax in patient and user context, and OpenID Connect sign-in. No EHR launch: nothing here
 * hands out a `launch` parameter. `permission-online` but no `permission-offline`: a refresh token
 * lives only as long as its session, `offline_access` or not.
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
      capabilities: [...SMART_CAPABILITIES],
    };
  }
}
