import { createPrivateKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from './config.error.js';

/*
 * The files a config names (key files, JWK Sets, certificates, metadata, the FHIR seed), read with
 * every failure a ConfigError naming the key, the file and the reason, and never the contents.
 */

/** Why a file named in the config cannot be read, in words: an fs error's text and stack say neither key nor file. */
function unreadableReason(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'not found';
    case 'EACCES':
    case 'EPERM':
      return 'unreadable (permission denied)';
    case 'EISDIR':
      return 'unreadable (a directory)';
    default:
      return `unreadable (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`;
  }
}

/**
 * The text of a file the config names at `where`; else a ConfigError naming the key, the file and the
 * reason. Never the contents: they may be key material.
 */
export function readConfiguredFile(file: string, where: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [`${where}: cannot read ${file}: ${unreadableReason(error)}`]);
  }
}

/** JSON from a configured file. A JSON.parse message quotes the input (a key), so only "malformed JSON" is said. */
export function readConfiguredJson(file: string, where: string): unknown {
  const text = readConfiguredFile(file, where);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ConfigError(file, [`${where}: ${file} is not valid JSON (malformed)`]);
  }
}

/** A JWK Set (RFC 7517 §5) from a configured file. */
export function readConfiguredJwks(file: string, where: string): { keys: Record<string, unknown>[] } {
  const jwks = readConfiguredJson(file, where) as { keys?: unknown } | null;
  if (
    jwks === null ||
    typeof jwks !== 'object' ||
    !Array.isArray(jwks.keys) ||
    !jwks.keys.every((k) => k !== null && typeof k === 'object')
  ) {
    throw new ConfigError(file, [`${where}: ${file} is not a JWK Set (an object with a "keys" list)`]);
  }
  return jwks as { keys: Record<string, unknown>[] };
}

/** A private key (a PEM private key node reads, or a private JWK) from a configured file. */
export function configuredPrivateKey(file: string, where: string): { key: KeyObject } {
  const text = readConfiguredFile(file, where).trim();
  const jwk = text.startsWith('{') ? (readConfiguredJson(file, where) as JsonWebKey) : undefined;
  try {
    return { key: createPrivateKey(jwk ? { key: jwk, format: 'jwk' } : text) };
  } catch {
    throw new ConfigError(file, [`${where}: ${file} is not a PEM private key or a private JWK`]);
  }
}
