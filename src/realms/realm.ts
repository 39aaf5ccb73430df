import type { RealmConfig } from '../config/config.schema.js';
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
}

export interface RealmEndpoints {
  readonly authorization: string;
  readonly token: string;
  readonly jwks: string;
  readonly introspection: string;
  readonly revocation: string;
  readonly userinfo: string;
  readonly endSession: string;
}

export function realmFromConfig(publicUrl: string, config: RealmConfig): Realm {
  const issuer = `${publicUrl}/realms/${config.name}`;
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
    },
    scopeCatalogue: new ScopeCatalogue(config.scopes),
  };
}
