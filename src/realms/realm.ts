import type { RealmConfig, SigningAlg } from '../config/config.schema.js';
import { ScopeCatalogue } from './scope-catalogue.js';

/** A configured realm with the URLs derived from `publicUrl` (Keycloak's paths, DESIGN.md §3). */
export interface Realm {
  readonly name: string;
  readonly config: RealmConfig;
  /** `{publicUrl}/realms/{realm}`: the `iss` of every token this realm signs. */
  readonly issuer: string;
  readonly endpoints: RealmEndpoints;
  /** The scopes the realm understands, and what each client may get of them. */
  readonly scopeCatalogue: ScopeCatalogue;
  /**
   * The algorithms the realm keeps a signing key for: its `signingAlg` first (every access token),
   * then those its clients ask for their ID tokens (`idTokenSignedResponseAlg`).
   */
  readonly signingAlgs: readonly SigningAlg[];
  /** The clients that ask for their own ID token algorithm, and that algorithm: read at every ID token, so kept by client id. */
  readonly idTokenAlgs: ReadonlyMap<string, SigningAlg>;
}

export interface RealmEndpoints {
  readonly authorization: string;
  readonly token: string;
  readonly jwks: string;
  readonly introspection: string;
  readonly revocation: string;
  readonly userinfo: string;
  readonly endSession: string;
  /** keycloak-js's login-status iframe (Keycloak's variant of OIDC Session Management 1.0 §3.2). */
  readonly checkSessionIframe: string;
}

export function realmFromConfig(publicUrl: string, config: RealmConfig): Realm {
  const issuer = `${publicUrl}/realms/${config.name}`;
  const idTokenAlgs = new Map(
    config.clients.flatMap(({ clientId, idTokenSignedResponseAlg: alg }) => (alg ? [[clientId, alg] as const] : [])),
  );
  const oidc = `${issuer}/protocol/openid-connect`;
  return {
    name: config.name,
    config,
    issuer,
    endpoints: {
      authorization: `${oidc}/auth`,
      token: `${oidc}/token`,
      jwks: `${oidc}/certs`,
      introspection: `${oidc}/token/introspect`,
      revocation: `${oidc}/revoke`,
      userinfo: `${oidc}/userinfo`,
      endSession: `${oidc}/logout`,
      checkSessionIframe: `${oidc}/login-status-iframe.html`,
    },
    scopeCatalogue: new ScopeCatalogue(config.scopes),
    signingAlgs: [...new Set([config.signingAlg, ...idTokenAlgs.values()])],
    idTokenAlgs,
  };
}

/**
 * The algorithm of the ID and logout tokens of client `clientId` (OIDC Dynamic Client Registration
 * 1.0 §2 `id_token_signed_response_alg`): its own, else the realm's.
 */
export function idTokenAlgorithm(realm: Realm, clientId: string): SigningAlg {
  return realm.idTokenAlgs.get(clientId) ?? realm.config.signingAlg;
}
