/** Types of decryption-key.mjs. */
import type { KeyObject } from 'node:crypto';

/** The PEM private key as a KeyObject, the same object for the same PEM; undefined for none. */
export function decryptionKeyObject(pem: string): KeyObject;
export function decryptionKeyObject(pem: string | undefined): KeyObject | undefined;
