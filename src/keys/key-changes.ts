import type { SigningAlg } from '../config/config.schema.js';
import type { Realm } from '../realms/realm.js';
import type { Queryable } from '../storage/database.js';
import type { SigningKeyRow } from '../storage/signing-key.repository.js';

/*
 * The vocabulary of a change to a realm's signing keys (signing-key.service.ts makes them): a
 * rotation, a key installed or retired of the service's own accord, what the audit trail records of
 * each, and when a key starts signing.
 */

/** A rotation's new key, and when it starts signing: until then it is only published. */
export interface KeyRotation {
  kid: string;
  signsFrom: Date;
  /** The key it replaces as the newest of its algorithm, as the install's lock saw it; none for the algorithm's first key. */
  replaced?: string;
}

/**
 * A key the service installed of its own accord: at start, where the algorithm had no key or the
 * realm's `signingKeyFile` holds another, or again on a later read after another instance's start
 * retired the algorithm's key. Not a rotation, which its caller records.
 */
export interface KeyInstall extends KeyRotation {
  realm: string;
  alg: SigningAlg;
  source: SigningKeyRow['source'];
}

/** A key a start retired because the realm no longer signs with its algorithm (published until `publishUntil`). */
export interface KeyRetirement {
  realm: string;
  kid: string;
  alg: string;
  publishUntil: Date;
}

/** Writes what must commit with a key the service changed of its own accord (its audit event), in that change's transaction. */
export interface KeyChangeRecorder {
  installed(tx: Queryable, install: KeyInstall): Promise<void>;
  retired(tx: Queryable, retirement: KeyRetirement): Promise<void>;
}

/**
 * What the audit trail records of a rotation (its ADMIN_ACTION, from the admin API or the command
 * line), and of a key installed at start (its SIGNING_KEY_INSTALLED).
 */
export function rotationDetails(
  rotation: KeyRotation,
  algorithm: SigningAlg,
): { kid: string; algorithm: string; signs_from: string; replaced_kid?: string } {
  return {
    kid: rotation.kid,
    algorithm,
    signs_from: rotation.signsFrom.toISOString(),
    ...(rotation.replaced === undefined ? {} : { replaced_kid: rotation.replaced }),
  };
}

/** A rotation that cannot be made, in fixed wording that repeats nothing the caller sent. */
export class KeyRotationRefused extends Error {}

/**
 * The algorithm whose key a rotation replaces (the admin API's, the CLI's): `asked`, by default the
 * realm's `signingAlg`, when the realm signs with it and generates its key. A key from `signingKeyFile`
 * rotates by replacing the file.
 */
export function rotationAlgorithm(realm: Realm, asked?: unknown): SigningAlg {
  const algorithm = realm.signingAlgs.find((alg) => alg === (asked ?? realm.config.signingAlg));
  if (!algorithm) throw new KeyRotationRefused(`realm ${realm.name} signs with ${realm.signingAlgs.join(', ')} only`);
  if (realm.config.signingKeyFile && algorithm === realm.config.signingAlg)
    throw new KeyRotationRefused(`realm ${realm.name} loads its ${algorithm} key from signingKeyFile: rotate by replacing that file`);
  return algorithm;
}

/** When `row` starts signing: its `signs_from`, or, for a key from before pre-publication, its creation. */
export function signingStart(row: Pick<SigningKeyRow, 'signs_from' | 'created_at'>): Date {
  return row.signs_from ?? row.created_at;
}
