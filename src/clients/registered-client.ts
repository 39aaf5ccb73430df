import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { configuredSecretDigest, type ClientConfig } from '../config/client-config.schema.js';
import { readConfiguredJwks } from '../config/configured-files.js';

/** RFC 7591 §2 names of the ways a client proves who it is at the token endpoint. */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';

/** A client as the token endpoint needs it: its config, its secret only as a digest, its keys. */
export interface RegisteredClient {
  readonly realm: string;
  readonly clientId: string;
  readonly config: ClientConfig;
  readonly authMethods: readonly ClientAuthMethod[];
  readonly secretDigest?: Buffer;
  /** The secret being replaced (`previousSecret`), accepted until `until` (epoch ms). */
  readonly previousSecret?: { readonly digest: Buffer; readonly until: number };
  readonly jwks?: JWTVerifyGetKey;
}

export function registerClient(realm: string, config: ClientConfig): RegisteredClient {
  const base = { realm, clientId: config.clientId, config };
  if (config.type === 'public') return { ...base, authMethods: ['none'] };
  const secretDigest = configuredSecretDigest(config);
  if (secretDigest !== undefined) {
    // The plain secrets are dropped here so they never sit in memory beside the registry.
    const { secret: _dropped, previousSecret, ...withoutSecrets } = config;
    return {
      ...base,
      config: withoutSecrets,
      authMethods: ['client_secret_basic', 'client_secret_post'],
      secretDigest,
      previousSecret: previousSecret && { digest: configuredSecretDigest(previousSecret)!, until: Date.parse(previousSecret.until) },
    };
  }
  // loadConfigFile has read it already, with the indexed key path; a config built in code has not.
  const jwks =
    config.jwks ?? (readConfiguredJwks(config.jwksFile!, `realm ${realm}, client ${config.clientId}: jwksFile`) as JSONWebKeySet);
  return { ...base, authMethods: ['private_key_jwt'], jwks: createLocalJWKSet({ keys: jwks.keys.map(eitherEdDsaName) } as JSONWebKeySet) };
}

/**
 * An Ed25519 key registered with `alg` `EdDSA` (RFC 8037 §3.1) or `Ed25519` (RFC 9864, the fully
 * specified name) verifies assertions signed under either: they are one algorithm, and jose matches a
 * key's `alg` exactly, so a key registered by the older name refused openid-client 6, which signs by
 * the newer. Its `alg` is left out, as a key without one may serve any algorithm of its type.
 */
function eitherEdDsaName(key: Record<string, unknown>): Record<string, unknown> {
  if (key.kty !== 'OKP' || key.crv !== 'Ed25519' || (key.alg !== 'EdDSA' && key.alg !== 'Ed25519')) return key;
  const { alg: _either, ...withoutAlg } = key;
  return withoutAlg;
}
