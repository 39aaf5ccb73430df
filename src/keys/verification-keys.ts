import { Inject, Injectable } from '@nestjs/common';
import { errors, importJWK, type CryptoKey, type JWSHeaderParameters } from 'jose';
import { CLOCK, type Clock } from '../common/clock.js';
import type { Realm } from '../realms/realm.js';
import { SigningKeyRepository } from '../storage/signing-key.repository.js';

/**
 * A `kid` worth looking up: RFC 7515 §4.1.4 leaves it free-form, ours are RFC 7638 thumbprints (43
 * base64url characters). Anything else — a NUL byte the database refuses, a 100 KB string — is a
 * bad token, decided before the database is asked.
 */
const PLAUSIBLE_KID = /^[\x21-\x7e]{1,128}$/;

/**
 * Public keys for verifying this service's own tokens, by `kid`: only keys of the token's realm that
 * are still published (active, or retired inside their window). Imported keys are cached; the
 * publication window is checked on every use.
 */
@Injectable()
export class VerificationKeys {
  private readonly cache = new Map<string, { realm: string; alg: string; key: CryptoKey; publishUntil: number }>();

  constructor(
    private readonly repository: SigningKeyRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** A jose key resolver for one realm; throws (failing verification) for any other key. */
  resolver(realm: Realm): (header: JWSHeaderParameters) => Promise<CryptoKey> {
    return async (header) => {
      if (!header.kid) throw new errors.JWSInvalid('token without kid');
      if (typeof header.kid !== 'string' || !PLAUSIBLE_KID.test(header.kid))
        throw new errors.JWSInvalid('kid is not a short printable string');
      const entry = this.cache.get(header.kid) ?? (await this.load(header.kid));
      if (!entry || entry.realm !== realm.name || entry.alg !== header.alg) throw new errors.JWKSNoMatchingKey();
      if (entry.publishUntil <= this.clock.now().getTime()) {
        // Re-read once: a key re-activated by a new key file is published again.
        this.cache.delete(header.kid);
        const fresh = await this.load(header.kid);
        if (!fresh || fresh.publishUntil <= this.clock.now().getTime()) throw new errors.JWKSNoMatchingKey();
        return fresh.key;
      }
      return entry.key;
    };
  }

  private async load(kid: string) {
    const row = await this.repository.findByKid(kid);
    if (!row) return undefined;
    const entry = {
      realm: row.realm,
      alg: row.alg,
      key: (await importJWK(row.public_jwk, row.alg)) as CryptoKey,
      // An active key is good until rotation; re-checked against the database once a minute.
      publishUntil: row.publish_until?.getTime() ?? this.clock.now().getTime() + 60_000,
    };
    this.cache.set(kid, entry);
    return entry;
  }
}
