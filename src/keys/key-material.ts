import { createPrivateKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { ConfigError } from '../config/config.error.js';
import { configuredPrivateKey } from '../config/configured-files.js';
import type { SigningAlg } from '../config/config.schema.js';
import { keyFits, keyMisfit } from '../config/signing-key-fit.js';

/** A signing key pair as JWKs; `kid` is the RFC 7638 thumbprint of the public key. */
export interface KeyMaterial {
  kid: string;
  alg: SigningAlg;
  publicJwk: JWK;
  privateJwk: JWK;
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/**
 * A private JWK as a node:crypto key for signing, checked against its algorithm as jose's importJWK
 * would. Imported once per key: node:crypto signs with it synchronously, without WebCrypto's per-call
 * argument conversion and job (issue 14).
 */
export function signingKeyObject(jwk: JWK, alg: SigningAlg): KeyObject {
  const key = createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' });
  if (!keyFits(key, alg)) throw new Error(`signing key ${jwk.kid ?? ''} does not fit ${alg}`);
  return key;
}

export async function generateKeyMaterial(alg: SigningAlg): Promise<KeyMaterial> {
  const options = alg === 'EdDSA' ? { crv: 'Ed25519', extractable: true } : { modulusLength: 2048, extractable: true };
  const { privateKey } = await generateKeyPair(alg, options);
  return fromPrivateJwk(await exportJWK(privateKey), alg);
}

/**
 * Loads a private key from a PEM file (PKCS#8, or the SEC1 and PKCS#1 forms `openssl` writes by
 * default) or a JWK (JSON) file, read and parsed once, as the config check reads it
 * (configured-files.ts). Every failure is a ConfigError naming the key and the file, never the material.
 */
export async function loadKeyMaterial(file: string, alg: SigningAlg, where = 'signingKeyFile'): Promise<KeyMaterial> {
  const { key } = configuredPrivateKey(file, where);
  // Checked before the key is stored and made active: a JWK names no algorithm we trust, and a PEM
  // import takes an RSA key of any size. Found only when signing, it would have replaced the realm's
  // good key with one that cannot sign, in an error naming neither the key nor the file.
  const misfit = keyMisfit(key, alg, where, file);
  if (misfit) throw new ConfigError(file, [misfit]);
  return fromPrivateJwk(key.export({ format: 'jwk' }) as JWK, alg);
}

async function fromPrivateJwk(privateJwk: JWK, alg: SigningAlg): Promise<KeyMaterial> {
  const publicJwk = publicPart(privateJwk);
  const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
  return { kid, alg, publicJwk: { ...publicJwk, kid, alg, use: 'sig' }, privateJwk: { ...privateJwk, kid, alg } };
}

export function publicPart(jwk: JWK): JWK {
  const copy: Record<string, unknown> = { ...jwk };
  for (const member of PRIVATE_MEMBERS) delete copy[member];
  delete copy.kid;
  delete copy.alg;
  delete copy.use;
  delete copy.key_ops;
  delete copy.ext;
  return copy as JWK;
}
