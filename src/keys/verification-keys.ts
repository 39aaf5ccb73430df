import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { errors, type JWK, type JWSHeaderParameters } from 'jose';
import type { SigningAlg } from '../config/config.schema.js';
import { CLOCK, type Clock } from '../common/clock.js';
import type { Realm } from '../realms/realm.js';
import { PublishedKeys } from './published-keys.js';
import { ACTIVE_KEY_CACHE_MS } from './signing-key.service.js';

/**
 * A `kid` worth looking up: RFC 7515 §4.1.4 leaves it free-form, ours are RFC 7638 thumbprints (43
 * base64url characters). Anything else — a NUL byte the database refuses, a 100 KB string — is a
 * bad token, decided before the database is asked.
 */
export const PLAUSIBLE_KID = /^[\x21-\x7e]{1,128}$/;

/**
 * Public keys for verifying this service's own tokens, by `kid`: only keys of the token's realm that
 * are still published (active, or retired inside their window; never a withdrawn one), and only for
 * the algorithm the key was made for. Imported keys are cached; the publication window is checked on
 * every use, and whether the key is still published (not withdrawn on another instance) is read again
 * once its entry is ACTIVE_KEY_CACHE_MS old. A withdrawal through this instance drops the entry at once ({@link forget}).
 */
@Injectable()
export class VerificationKeys {
  private readonly cache = new Map<string, Entry>();
  /** Readings under way, by realm and kid ({@link reload}). */
  private readonly reading = new Map<string, Promise<Entry | undefined>>();
  /** Counts {@link forget}. */
  private forgotten = 0;
  constructor(
    /** A `kid` not cached is looked for among the realm's published keys (reads shared as PublishedKeys shares them). */
    private readonly published: PublishedKeys,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * The key a token's header names, for verifying with the header's `alg`; throws a jose error (a bad
   * token) for a missing or implausible `kid`, another realm's key, a key that is no longer published,
   * and an `alg` other than the key's own — the algorithm comes from the key, so a token cannot choose
   * how the key is used (RFC 8725 §3.1, §2.1: algorithm confusion).
   */
  async keyFor(realm: Realm, header: JWSHeaderParameters): Promise<{ alg: SigningAlg; key: KeyObject }> {
    if (!header.kid) throw new errors.JWSInvalid('token without kid');
    if (typeof header.kid !== 'string' || !PLAUSIBLE_KID.test(header.kid))
      throw new errors.JWSInvalid('kid is not a short printable string');
    let entry = this.cache.get(header.kid);
    // Read again once due: a key withdrawn (on any instance) or past its window is no longer published;
    // one re-activated by a new key file is published again. Never verified with meanwhile.
    if (!entry || entry.recheckAt <= this.clock.now().getTime()) entry = await this.reload(realm, header.kid, entry);
    if (!entry || entry.realm !== realm.name || entry.alg !== header.alg) throw new errors.JWKSNoMatchingKey();
    return { alg: entry.alg, key: entry.key };
  }

  /**
   * Drops `kid`, withdrawn through this instance: it verifies nothing from now on, without waiting for
   * its entry to be read again. Its KeyObject goes with it, and with it every signature remembered for
   * it (tokens/verified-signatures.ts holds a signature for the very object that verified it): should
   * the key ever be read again, it is another object.
   */
  forget(kid: string): void {
    this.forgotten++;
    this.cache.delete(kid);
  }

  /**
   * {@link load}, one at a time per realm and `kid`: the requests that find an entry due share its
   * reading, and so its KeyObject and the signatures remembered for it. One begun before a
   * {@link forget} may have read the withdrawn key, and reads again.
   */
  private reload(realm: Realm, kid: string, previous?: Entry): Promise<Entry | undefined> {
    const key = `${realm.name}\n${kid}`;
    let reading = this.reading.get(key);
    if (!reading) {
      const read = async (): Promise<Entry | undefined> => {
        const forgotten = this.forgotten;
        const entry = await this.load(realm, kid, previous);
        return forgotten === this.forgotten ? entry : this.load(realm, kid);
      };
      reading = read().finally(() => this.reading.delete(key));
      this.reading.set(key, reading);
    }
    return reading;
  }

  /**
   * The key `kid` among the realm's published keys: a made-up `kid` costs no statement of its own
   * (PublishedKeys), and another realm's key, or one no longer published, is not found. An unchanged
   * key read again keeps its KeyObject, so the signatures it verified stay remembered
   * (tokens/verified-signatures.ts, which holds a signature for the very object that verified it).
   */
  private async load(realm: Realm, kid: string, previous?: { alg: SigningAlg; key: KeyObject }): Promise<Entry | undefined> {
    const row = (await this.published.of(realm.name)).find((published) => published.kid === kid);
    if (!row) {
      if (this.cache.get(kid)?.realm === realm.name) this.cache.delete(kid);
      return undefined;
    }
    const alg = row.alg as SigningAlg;
    const key = publicKeyFor(alg, row.public_jwk);
    const recheckAt = this.clock.now().getTime() + ACTIVE_KEY_CACHE_MS;
    const entry = {
      realm: row.realm,
      alg,
      key: previous?.alg === alg && previous.key.equals(key) ? previous.key : key,
      // Read again by the end of its window, and sooner: another instance may have withdrawn it.
      recheckAt: Math.min(row.publish_until?.getTime() ?? recheckAt, recheckAt),
    };
    this.cache.set(kid, entry);
    return entry;
  }
}

/** A key read from the realm's published keys, and when to read it again. */
interface Entry {
  realm: string;
  alg: SigningAlg;
  key: KeyObject;
  recheckAt: number;
}

/** What each algorithm's key must be (RFC 7518 §3.3–3.5, RFC 8037 §3.1); the rows are ours, checked anyway. */
const KEY_TYPES: Record<SigningAlg, (key: KeyObject) => boolean> = {
  ES256: (key) => key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1',
  RS256: (key) => key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048,
  PS256: (key) => key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048,
  EdDSA: (key) => key.asymmetricKeyType === 'ed25519',
};

function publicKeyFor(alg: SigningAlg, jwk: JWK): KeyObject {
  const key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
  if (!Object.hasOwn(KEY_TYPES, alg) || !KEY_TYPES[alg](key)) throw new Error(`signing key is not a ${alg} key`);
  return key;
}
