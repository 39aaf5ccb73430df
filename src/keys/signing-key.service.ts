import { Inject, Injectable } from '@nestjs/common';
import type { KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import { CLOCK, type Clock } from '../common/clock.js';
import { ConfigError } from '../config/config.error.js';
import type { SigningAlg } from '../config/config.schema.js';
import type { Realm } from '../realms/realm.js';
import type { Queryable } from '../storage/database.js';
import { SigningKeyRepository, SigningKeyTaken, SigningKeyWithdrawn, type SigningKeyRow } from '../storage/signing-key.repository.js';
import { KeyEncryption } from './key-encryption.js';
import { generateKeyMaterial, loadKeyMaterial, signingKeyObject, type KeyMaterial } from './key-material.js';
import { KeyRotationRefused, rotationAlgorithm, signingStart, type KeyChangeRecorder, type KeyRotation } from './key-changes.js';
import { PublishedKeys } from './published-keys.js';
import { storedKey } from './stored-key.js';

export interface ActiveSigningKey {
  kid: string;
  alg: SigningAlg;
  /** A node:crypto key, imported once per key: the signer signs with it synchronously (issue 14). */
  privateKey: KeyObject;
}

/**
 * How long an instance signs with a cached key before it reads again which key signs, and how long it
 * verifies with a key it read before it reads again whether that key is still published
 * (verification-keys.ts). A rotation made elsewhere gives far more warning (KEY_PREPUBLICATION_MS);
 * a withdrawal made elsewhere gives none, so this is how long another instance may go on signing and
 * verifying with a withdrawn key. One read a second per realm and algorithm costs nothing measurable.
 */
export const ACTIVE_KEY_CACHE_MS = 1_000;
/** Leeway for verifiers' and instances' clocks: in how long a retired key stays published, and in a rotation's lead. */
const CLOCK_SKEW_MS = 60_000;
/** How long verifiers may hold the JWKS (its Cache-Control max-age, keys.controller.ts). */
export const JWKS_MAX_AGE_S = 60;
/**
 * How long a rotation publishes the new key before it signs: the JWKS's max-age, and leeway for the
 * clocks of the instances that switch and of the verifiers, so that a verifier holding the JWKS it
 * fetched just before the rotation for no longer than its max-age never meets a token signed by a key
 * it has not seen. OpenID Connect Core §10.1.1 lets a signer use a new key at once and a verifier fetch
 * the JWKS again on an unknown `kid`, but not every verifier does, and those that do limit how often
 * (jose's remote JWKS: once in 30 s). Longer than ACTIVE_KEY_CACHE_MS, so an instance that read the
 * old key before the rotation reads it again, with its retirement, before the switch.
 */
export const KEY_PREPUBLICATION_MS = JWKS_MAX_AGE_S * 1000 + CLOCK_SKEW_MS;

export const KEY_ENCRYPTION = Symbol('KEY_ENCRYPTION');

/**
 * Realm signing keys: one active key per realm and algorithm it signs with (`Realm.signingAlgs`: its
 * `signingAlg`, and a client's `idTokenSignedResponseAlg`), generated on first start (or, the realm's
 * own, loaded from `signingKeyFile`), stored encrypted. Rotation retires the old key but keeps it in
 * the JWKS until every token it can have signed has expired; so does a start without the algorithm.
 * Every key installed commits with its audit event: a rotation's its caller writes, one the service
 * installs of its own accord (at start) the recorder of {@link SigningKeyService.recordKeyChangesWith}.
 */
@Injectable()
export class SigningKeyService {
  /** The key each algorithm signs with, until when (epoch ms) it may be used without reading again. */
  private readonly active = new Map<string, { key: ActiveSigningKey; until: number }>();
  /** Lookups under way: the requests that find the cache expired together share one (and one new key, if it comes to that). */
  private readonly loading = new Map<string, Promise<ActiveSigningKey>>();
  /** Counts {@link forgetActive}: a lookup begun before one may have read the withdrawn key, and is not kept. */
  private forgotten = 0;
  /** Records each key this service installs or retires of its own accord, in that change's transaction ({@link recordKeyChangesWith}). */
  private recorder?: KeyChangeRecorder;

  constructor(
    private readonly repository: SigningKeyRepository,
    @Inject(KEY_ENCRYPTION) private readonly encryption: KeyEncryption,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly published: PublishedKeys,
  ) {}

  /**
   * Has `recorder` write what must commit with every key this service installs or retires of its own
   * accord (a KeyInstall, a KeyRetirement: their audit events, key-changes.ts), in that change's
   * transaction, so that of two instances starting at once only the one whose key won records it, and
   * a start that finds its keys in place records nothing. Given by a module above this one
   * (audit/signing-key-change-audit.ts), which keys/ does not import (docs/ARCHITECTURE.md), before the
   * start makes its keys: Nest runs every onModuleInit before the first onApplicationBootstrap
   * (signing-keys.bootstrap.ts).
   */
  recordKeyChangesWith(recorder: KeyChangeRecorder): void {
    this.recorder = recorder;
  }

  /**
   * At start: make sure the realm has an active key of each algorithm it signs with, of its configured
   * source, and retire those of algorithms it no longer signs with. Their tokens still verify: a retired
   * key stays published until every token it can have signed has expired.
   */
  async ensureActiveKeys(realm: Realm): Promise<void> {
    for (const alg of realm.signingAlgs) await this.ensureActiveKey(realm, alg);
    const now = this.clock.now();
    const publishUntil = new Date(now.getTime() + keyRetentionMs(realm));
    const recorder = this.recorder;
    await this.repository.retireUnused(
      realm.name,
      realm.signingAlgs,
      now,
      publishUntil,
      recorder &&
        (async (tx, retired) => {
          for (const { kid, alg } of retired) await recorder.retired(tx, { realm: realm.name, kid, alg, publishUntil });
        }),
    );
  }

  private async ensureActiveKey(realm: Realm, alg: SigningAlg): Promise<void> {
    // A file holds the key of the realm's own algorithm; another is generated beside it.
    const file = alg === realm.config.signingAlg ? realm.config.signingKeyFile : undefined;
    const wanted = file ? await loadKeyMaterial(file, alg, `realms.${realm.name}.signingKeyFile`) : undefined;
    const isCurrent = (active: SigningKeyRow | undefined): boolean =>
      active !== undefined && (wanted === undefined || active.kid === wanted.kid);
    if (isCurrent(await this.repository.findActive(realm.name, alg))) return;
    const material = wanted ?? (await generateKeyMaterial(alg));
    const source = wanted ? 'file' : 'generated';
    // The key the install replaces as its lock sees it: another instance's start may have replaced the one read above.
    let replaced: string | undefined;
    const shouldReplace = (active: SigningKeyRow | undefined) => {
      replaced = active?.kid;
      return !isCurrent(active);
    };
    const recorder = this.recorder;
    const recorded =
      recorder &&
      ((tx: Queryable, signsFrom: Date) =>
        recorder.installed(tx, { realm: realm.name, kid: material.kid, alg, source, signsFrom, replaced }));
    try {
      await this.install(realm, material, source, shouldReplace, recorded);
    } catch (error) {
      if (file && error instanceof SigningKeyTaken) throw keyFileTaken(realm, file, alg, error.holder);
      if (file && error instanceof SigningKeyWithdrawn) throw keyFileWithdrawn(realm, file, error);
      throw error;
    }
  }

  /**
   * Replaces the realm's active key of `alg` (by default its own `signingAlg`) with a newly generated
   * one, published in the JWKS at once and signing KEY_PREPUBLICATION_MS later, on every instance at
   * that instant (each caches the old key no longer than its retirement); returns the new key id and
   * that instant. `record` runs in the rotation's transaction (the admin API's audit event). While the
   * key of the last rotation is not signing yet, another rotation is refused: of two at once, one wins.
   */
  async rotate(
    realm: Realm,
    alg: SigningAlg = realm.config.signingAlg,
    record?: (tx: Queryable, rotation: KeyRotation) => Promise<void>,
  ): Promise<KeyRotation> {
    rotationAlgorithm(realm, alg);
    const material = await generateKeyMaterial(alg);
    const rotation: KeyRotation = { kid: material.kid, signsFrom: new Date(this.clock.now().getTime() + KEY_PREPUBLICATION_MS) };
    const notPending = (active: SigningKeyRow | undefined) => {
      const startsAt = active && signingStart(active);
      if (startsAt && startsAt > this.clock.now())
        throw new KeyRotationRefused(
          `realm ${realm.name}'s ${alg} key of the last rotation signs from ${startsAt.toISOString()}; rotate again after that`,
        );
      // Under the install's lock: the key this rotation retires, for its audit event.
      if (active) rotation.replaced = active.kid;
      return true;
    };
    await this.install(realm, material, 'generated', notPending, record && ((tx) => record(tx, rotation)), rotation.signsFrom);
    this.active.delete(cacheKey(realm, alg));
    return rotation;
  }

  /**
   * The key the realm signs with in `alg` now: by default its own `signingAlg`, which signs every access
   * token. One retired meanwhile by an instance that does not sign with `alg` (a rolling deploy of a
   * config that adds or drops a client's `idTokenSignedResponseAlg`) is replaced, as at start: each
   * instance signs with what its own config asks for.
   */
  async activeKey(realm: Realm, alg: SigningAlg = realm.config.signingAlg): Promise<ActiveSigningKey> {
    const key = cacheKey(realm, alg);
    const cached = this.active.get(key);
    if (cached && this.clock.now().getTime() < cached.until) return cached.key;
    let loading = this.loading.get(key);
    if (!loading) {
      loading = this.load(realm, alg, cached?.key).finally(() => this.loading.delete(key));
      this.loading.set(key, loading);
    }
    return loading;
  }

  private async load(realm: Realm, alg: SigningAlg, previous: ActiveSigningKey | undefined): Promise<ActiveSigningKey> {
    if (!realm.signingAlgs.includes(alg)) throw new Error(`realm ${realm.name} does not sign with ${alg}`);
    const forgotten = this.forgotten;
    const now = this.clock.now();
    let row = await this.repository.findSigning(realm.name, alg, now);
    // Another instance's start may retire the key made here before it is read back: make one again, once.
    for (let attempt = 0; attempt < 2 && !row; attempt++) {
      await this.ensureActiveKey(realm, alg);
      row = await this.repository.findSigning(realm.name, alg, now);
    }
    if (!row) throw new Error(`realm ${realm.name} has no active ${alg} signing key`);
    // A withdrawal through this instance since the read began: it may have read the withdrawn key; read again.
    if (forgotten !== this.forgotten) return this.load(realm, alg, undefined);
    const active = previous?.kid === row.kid ? previous : this.importPrivate(row);
    // A key a rotation retires is not signed with past that instant, however recently it was read.
    const until = Math.min(now.getTime() + ACTIVE_KEY_CACHE_MS, row.retired_at?.getTime() ?? Infinity);
    this.active.set(cacheKey(realm, alg), { key: active, until });
    return active;
  }

  /**
   * Forgets the key cached for `realm`'s `alg`, so the next token is signed with what the database
   * says signs now: after a withdrawal made through this instance, at once (elsewhere within ACTIVE_KEY_CACHE_MS).
   */
  forgetActive(realm: Realm, alg: SigningAlg): void {
    this.forgotten++;
    this.active.delete(cacheKey(realm, alg));
  }

  /** The realm's JWKS (RFC 7517 §5): the active key and the retired keys still in their window; anyone may ask (PublishedKeys). */
  async publishedKeys(realm: Realm): Promise<JWK[]> {
    const rows = await this.published.of(realm.name);
    // The key signing the realm's access tokens first (signing keys come first, the newest first): a
    // verifier that takes a JWKS's first key, as some do, then checks every access token, not only the
    // ID tokens of a client on another algorithm.
    const main = rows.findIndex((row) => row.alg === realm.config.signingAlg);
    const ordered = main <= 0 ? rows : [rows[main]!, ...rows.slice(0, main), ...rows.slice(main + 1)];
    return ordered.map((row) => row.public_jwk);
  }

  private async install(
    realm: Realm,
    material: KeyMaterial,
    source: SigningKeyRow['source'],
    shouldReplace: (active: SigningKeyRow | undefined) => boolean,
    alsoInTransaction?: (tx: Queryable, signsFrom: Date) => Promise<void>,
    signsFrom?: Date,
  ): Promise<void> {
    const now = this.clock.now();
    // The key replaced signs until the new one starts; tokens it signs by then verify for the retention.
    const switchAt = signsFrom ?? now;
    await this.repository.replaceActive(
      realm.name,
      storedKey(material, source, this.encryption, now, switchAt),
      new Date(switchAt.getTime() + keyRetentionMs(realm)),
      shouldReplace,
      alsoInTransaction && ((tx) => alsoInTransaction(tx, switchAt)),
    );
  }

  private importPrivate(row: SigningKeyRow): ActiveSigningKey {
    const jwk = JSON.parse(this.encryption.decrypt(row.private_jwk_enc, row.kid)) as JWK;
    const alg = row.alg as SigningAlg;
    return { kid: row.kid, alg, privateKey: signingKeyObject(jwk, alg) };
  }
}

/** How long a retired key stays published: the longest a token signed just before can stay valid, plus cache and clock leeway. */
export function keyRetentionMs(realm: Realm): number {
  const longestTokenSeconds = Math.max(realm.config.accessTokenTtl, realm.config.sessionIdle);
  return longestTokenSeconds * 1000 + ACTIVE_KEY_CACHE_MS + CLOCK_SKEW_MS;
}

/**
 * Why `file` cannot be the realm's key: it holds a key an operator withdrew (it leaked). The start
 * stops rather than sign with it again; the key generated at the withdrawal still signs on every
 * instance that runs.
 */
function keyFileWithdrawn(realm: Realm, file: string, error: SigningKeyWithdrawn): ConfigError {
  return ConfigError.problem(
    `realms.${realm.name}.signingKeyFile: ${file} holds key ${error.kid}, withdrawn at ${error.withdrawnAt.toISOString()}: put a new key in the file`,
  );
}

/**
 * Why `file` cannot be the realm's key of `alg`: its key already is another realm's (each realm signs
 * with its own: config.loader.ts refuses two in one config, this catches one a realm held before), or
 * this realm's key of another algorithm, which would then verify tokens of two algorithms (RFC 8725
 * §3.1: each key is used with exactly one algorithm). Nothing was changed: the old key still signs.
 */
function keyFileTaken(realm: Realm, file: string, alg: SigningAlg, holder: Pick<SigningKeyRow, 'realm' | 'alg'>): ConfigError {
  const where = `realms.${realm.name}.signingKeyFile`;
  if (holder.realm !== realm.name)
    return ConfigError.problem(`${where}: ${file} holds the key realm ${holder.realm} signed with; each realm signs with its own key`);
  return ConfigError.problem(
    `${where}: ${file} holds the key this realm signed ${holder.alg} tokens with, and a key signs with one algorithm only (RFC 8725 §3.1): give ${alg} a key file of its own`,
  );
}

/** Realm names are `[a-z0-9-]+` (config.schema.ts): a space cannot occur in one. */
function cacheKey(realm: Realm, alg: SigningAlg): string {
  return `${realm.name} ${alg}`;
}
