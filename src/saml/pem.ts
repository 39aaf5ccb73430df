import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/config.error.js';

/**
 * Keys and certificates in the config are PEM file paths or inline PEM (DESIGN.md §3). Errors are
 * ConfigErrors naming the config path and the reason, never the key material: they stop the service
 * at start-up, as an invalid config file does.
 */
const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

export interface PemBlock {
  label: string;
  pem: string;
}

/** The PEM text itself when `source` is inline, otherwise the file it names. */
export function readPemSource(source: string, where: string): string {
  if (source.includes('-----BEGIN')) return source;
  try {
    return readFileSync(source, 'utf8');
  } catch {
    throw ConfigError.problem(`${where}: cannot read PEM file ${source}`);
  }
}

export function pemBlocks(text: string): PemBlock[] {
  return [...text.matchAll(BLOCK)].map((match) => ({ label: match[1], pem: `${match[0]}\n` }));
}

/** One X.509 certificate, checked to parse. */
export function loadCertificate(source: string, where: string): string {
  const certificates = pemBlocks(readPemSource(source, where)).filter((b) => b.label === 'CERTIFICATE');
  if (certificates.length !== 1) throw ConfigError.problem(`${where}: expected exactly one PEM CERTIFICATE`);
  try {
    new X509Certificate(certificates[0].pem);
  } catch {
    throw ConfigError.problem(`${where}: not a valid X.509 certificate`);
  }
  return certificates[0].pem;
}

export interface LoadedKey {
  /** PEM private key. */
  key: string;
  /** A certificate found in the same PEM source (key file followed by its certificate). */
  certificate?: string;
}

/** A private key (PKCS#8 or PKCS#1), optionally followed by its certificate in the same source. */
export function loadPrivateKey(source: string, where: string): LoadedKey {
  const blocks = pemBlocks(readPemSource(source, where));
  const keys = blocks.filter((b) => /PRIVATE KEY$/.test(b.label));
  if (keys.length !== 1) throw ConfigError.problem(`${where}: expected exactly one PEM private key`);
  try {
    createPrivateKey(keys[0].pem);
  } catch {
    throw ConfigError.problem(`${where}: not a valid private key (an encrypted key is not supported)`);
  }
  const certificates = blocks.filter((b) => b.label === 'CERTIFICATE');
  if (certificates.length > 1) throw ConfigError.problem(`${where}: more than one certificate after the key`);
  const certificate = certificates[0]?.pem;
  if (certificate && !keyMatchesCertificate(keys[0].pem, certificate)) {
    throw ConfigError.problem(`${where}: the certificate does not belong to the private key`);
  }
  return { key: keys[0].pem, certificate };
}

export function keyMatchesCertificate(privateKeyPem: string, certificatePem: string): boolean {
  const fromKey = spki(createPublicKey(createPrivateKey(privateKeyPem)));
  return fromKey.equals(spki(new X509Certificate(certificatePem).publicKey));
}

function spki(key: KeyObject): Buffer {
  return key.export({ type: 'spki', format: 'der' });
}
