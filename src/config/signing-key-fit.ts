import type { KeyObject } from 'node:crypto';
import type { SigningAlg } from './config.schema.js';

/** What each algorithm needs of a private key (RFC 7518 §3.3–3.5: RSA of 2048 bits or more; RFC 8037 §3.1). */
const FITS: Record<SigningAlg, (key: KeyObject) => boolean> = {
  ES256: (key) => key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1',
  RS256: (key) => key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048,
  PS256: (key) => key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048,
  EdDSA: (key) => key.asymmetricKeyType === 'ed25519',
};

/** The same, in words for a config error. */
const NEEDS: Record<SigningAlg, string> = {
  ES256: 'RFC 7518 §3.4: EC on P-256',
  RS256: 'RFC 7518 §3.3: RSA of 2048 bits or more',
  PS256: 'RFC 7518 §3.5: RSA of 2048 bits or more',
  EdDSA: 'RFC 8037 §3.1: Ed25519',
};

/** Whether `key` can sign `alg` (as jose's importJWK would check it). */
export function keyFits(key: KeyObject, alg: SigningAlg): boolean {
  return FITS[alg](key);
}

/** Why `file` (under the config key `where`) cannot sign `alg`, when it cannot. */
export function keyMisfit(key: KeyObject, alg: SigningAlg, where: string, file: string): string | undefined {
  return keyFits(key, alg) ? undefined : `${where}: ${file} is not a key for ${alg} (${NEEDS[alg]})`;
}
