import { Inject, Injectable } from '@nestjs/common';
import type { JWK } from 'jose';
import { DATABASE, type Database, type Queryable } from './database.js';

export interface SigningKeyRow {
  kid: string;
  realm: string;
  alg: string;
  public_jwk: JWK;
  private_jwk_enc: string;
  source: 'generated' | 'file';
  created_at: Date;
  /** When it starts signing; null: from `created_at`. Before then it is published only (a rotation's pre-publication). */
  signs_from: Date | null;
  /** When it stops signing: null while it is the newest key of its realm and algorithm, possibly in the future. */
  retired_at: Date | null;
  publish_until: Date | null;
  /** When an operator withdrew it (a leaked key): from then on in no JWKS, verifying nothing, never signing again. */
  withdrawn_at: Date | null;
}

/**
 * A key whose `kid` (its thumbprint, the primary key) already names another realm's key, or this realm's
 * key of another algorithm: the same key material, which {@link SigningKeyRepository.replaceActive}
 * neither takes over nor gives a second algorithm.
 */
export class SigningKeyTaken extends Error {
  constructor(
    readonly kid: string,
    readonly holder: Pick<SigningKeyRow, 'realm' | 'alg'>,
  ) {
    super(`signing key ${kid} is realm ${holder.realm}'s ${holder.alg} key`);
    this.name = 'SigningKeyTaken';
  }
}

/** A key an operator withdrew, offered again (a key file still holding it): it never signs again. */
export class SigningKeyWithdrawn extends Error {
  constructor(
    readonly kid: string,
    readonly withdrawnAt: Date,
  ) {
    super(`signing key ${kid} was withdrawn at ${withdrawnAt.toISOString()}`);
    this.name = 'SigningKeyWithdrawn';
  }
}

/**
 * Rows of `signing_keys`. A realm has at most one key per algorithm with `retired_at` null: its newest
 * key of that algorithm, which signs from its `signs_from` on; the key it replaced signs until then.
 */
@Injectable()
export class SigningKeyRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  /**
   * The key that signs in `alg` at `now`: of the keys not retired by then, the one that started signing
   * last. Each install retires every other key of the algorithm by the instant the new one starts
   * ({@link replaceActive}), so one matches; should a start have retired the algorithm's keys meanwhile
   * (retireUnused), a key that does not sign yet is taken rather than none.
   */
  async findSigning(realm: string, alg: string, now: Date, db: Queryable = this.db): Promise<SigningKeyRow | undefined> {
    // Withdrawn ones by their mark, not by `retired_at`: an instance whose clock is behind the withdrawer's must not sign with one.
    const { rows } = await db.query<SigningKeyRow>(
      `SELECT * FROM signing_keys
        WHERE realm = $1 AND alg = $2 AND (retired_at IS NULL OR retired_at > $3) AND withdrawn_at IS NULL
        ORDER BY COALESCE(signs_from, created_at) <= $3 DESC, COALESCE(signs_from, created_at) DESC
        LIMIT 1`,
      [realm, alg, now],
    );
    return rows[0];
  }

  /** The newest key of `alg`, signing or not yet: the one a rotation or a start replaces. */
  async findActive(realm: string, alg: string, db: Queryable = this.db): Promise<SigningKeyRow | undefined> {
    const { rows } = await db.query<SigningKeyRow>('SELECT * FROM signing_keys WHERE realm = $1 AND alg = $2 AND retired_at IS NULL', [
      realm,
      alg,
    ]);
    return rows[0];
  }

  /**
   * The active key, one a rotation published ahead, and every retired key still inside its publication
   * window: those signing at `now` first (a verifier that takes the first key without reading `kid`
   * keeps working while a new key is published ahead), then by when they start signing, latest first.
   * Never a withdrawn key: RFC 7517 §5 has the JWKS hold the keys a verifier may trust.
   */
  async findPublished(realm: string, now: Date): Promise<SigningKeyRow[]> {
    const { rows } = await this.db.query<SigningKeyRow>(
      `SELECT * FROM signing_keys
        WHERE realm = $1 AND (retired_at IS NULL OR publish_until > $2) AND withdrawn_at IS NULL
        ORDER BY COALESCE(signs_from, created_at) <= $2 AND (retired_at IS NULL OR retired_at > $2) DESC,
                 COALESCE(signs_from, created_at) DESC`,
      [realm, now],
    );
    return rows;
  }

  /** One stored key, whichever (the oldest): what proves that `keys.encryptionKey` is the one the keys were stored with. */
  async findAny(): Promise<SigningKeyRow | undefined> {
    const { rows } = await this.db.query<SigningKeyRow>('SELECT * FROM signing_keys ORDER BY created_at, kid LIMIT 1');
    return rows[0];
  }

  async findByKid(kid: string, db: Queryable = this.db): Promise<SigningKeyRow | undefined> {
    const { rows } = await db.query<SigningKeyRow>('SELECT * FROM signing_keys WHERE kid = $1', [kid]);
    return rows[0];
  }

  /** The realm's withdrawn keys, most recently withdrawn first (the admin API lists them as DISABLED). */
  async findWithdrawn(realm: string): Promise<SigningKeyRow[]> {
    const { rows } = await this.db.query<SigningKeyRow>(
      'SELECT * FROM signing_keys WHERE realm = $1 AND withdrawn_at IS NOT NULL ORDER BY withdrawn_at DESC, kid',
      [realm],
    );
    return rows;
  }

  /**
   * Runs `change` in one transaction that holds the realm's key lock: a withdrawal, which reads the
   * key, marks it and may install another, as one change no other install or withdrawal interleaves with.
   */
  changeKeys<T>(realm: string, change: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) => {
      await lockRealmKeys(tx, realm);
      return change(tx);
    });
  }

  /**
   * Marks `kid` withdrawn at `now`: out of the JWKS and of every verification and signer from then on
   * (the queries above leave it out by its mark). A key that would still sign, or is published ahead, is
   * retired at `now` too, so the realm's newest key of the algorithm is never a withdrawn one; and its
   * publication ends at `now`, so that an instance of an older version, which reads no mark, during a
   * rolling upgrade, neither signs with it nor publishes it.
   */
  async markWithdrawn(kid: string, now: Date, tx: Queryable): Promise<void> {
    await tx.query(
      `UPDATE signing_keys SET withdrawn_at = $2, retired_at = LEAST(COALESCE(retired_at, $2), $2),
              publish_until = LEAST(COALESCE(publish_until, $2), $2)
        WHERE kid = $1 AND withdrawn_at IS NULL`,
      [kid, now],
    );
  }

  /** Makes `kid` the newest key of its algorithm again: its retirement by a rotation whose key was withdrawn is undone. */
  async reinstate(kid: string, tx: Queryable): Promise<void> {
    await tx.query('UPDATE signing_keys SET retired_at = NULL, publish_until = NULL WHERE kid = $1', [kid]);
  }

  /**
   * Retires the realm's active keys of algorithms other than `inUse` (published until `publishUntil`):
   * a realm that no longer signs with an algorithm stops signing with its key, and verifiers can check
   * what it signed until then. Serialised per realm with {@link replaceActive}.
   */
  async retireUnused(
    realm: string,
    inUse: readonly string[],
    now: Date,
    publishUntil: Date,
    /** What must commit with the retirement (its audit events), given the keys it retired, if any. */
    alsoInTransaction?: (tx: Queryable, retired: Pick<SigningKeyRow, 'kid' | 'alg'>[]) => Promise<void>,
  ): Promise<void> {
    await this.db.transaction(async (tx) => {
      await lockRealmKeys(tx, realm);
      // A key retiring later (a rotation's old key) stops now too: nothing signs in an algorithm no longer used.
      const { rows } = await tx.query<Pick<SigningKeyRow, 'kid' | 'alg'>>(
        `UPDATE signing_keys SET retired_at = $3, publish_until = $4
          WHERE realm = $1 AND (retired_at IS NULL OR retired_at > $3) AND NOT (alg = ANY($2))
          RETURNING kid, alg`,
        [realm, inUse, now, publishUntil],
      );
      if (rows.length > 0) await alsoInTransaction?.(tx, rows);
    });
  }

  /**
   * Makes `key` the realm's active key of its algorithm, signing from `key.signs_from`, and retires
   * the key it replaces at that instant (published until `publishUntil`), as well as any other key of
   * the algorithm that would sign past it (the old key of a rotation still published ahead), in one
   * transaction serialised per realm, so two instances starting together install one key.
   * `shouldReplace` sees the active key under the lock and may decide nothing needs to change (or
   * refuse, by throwing); `alsoInTransaction` writes what must commit with the rotation (its audit
   * event). A key that was this realm's key of this algorithm before (a key file back in place)
   * becomes active again; one whose `kid` names another realm's key or another algorithm's throws
   * {@link SigningKeyTaken} and changes nothing.
   */
  async replaceActive(
    realm: string,
    key: NewSigningKey,
    publishUntil: Date,
    shouldReplace: (active: SigningKeyRow | undefined) => boolean,
    alsoInTransaction?: (tx: Queryable) => Promise<void>,
  ): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await lockRealmKeys(tx, realm);
      if (!(await this.replaceActiveLocked(tx, realm, key, publishUntil, shouldReplace))) return false;
      await alsoInTransaction?.(tx);
      return true;
    });
  }

  /**
   * {@link replaceActive}'s change, in `tx`, which holds the realm's key lock ({@link lockRealmKeys}):
   * a withdrawal installs the key that replaces a withdrawn one in its own transaction.
   */
  async replaceActiveLocked(
    tx: Queryable,
    realm: string,
    key: NewSigningKey,
    publishUntil: Date,
    shouldReplace: (active: SigningKeyRow | undefined) => boolean,
  ): Promise<boolean> {
    const active = await this.findActive(realm, key.alg, tx);
    if (!shouldReplace(active)) return false;
    // A withdrawn key never comes back (a key file still holding the leaked key): refused, nothing changed.
    const withdrawn = await tx.query<Pick<SigningKeyRow, 'withdrawn_at'>>(
      'SELECT withdrawn_at FROM signing_keys WHERE kid = $1 AND withdrawn_at IS NOT NULL',
      [key.kid],
    );
    if (withdrawn.rows[0]) throw new SigningKeyWithdrawn(key.kid, withdrawn.rows[0].withdrawn_at!);
    if (active) {
      await tx.query('UPDATE signing_keys SET retired_at = $2, publish_until = $3 WHERE kid = $1', [
        active.kid,
        key.signs_from,
        publishUntil,
      ]);
    }
    await tx.query('UPDATE signing_keys SET retired_at = $3 WHERE realm = $1 AND alg = $2 AND retired_at > $3', [
      realm,
      key.alg,
      key.signs_from,
    ]);
    // Only a row of this realm and algorithm: RFC 8725 §3.1, a key is used with exactly one algorithm.
    const reused = await tx.query(
      'UPDATE signing_keys SET retired_at = NULL, publish_until = NULL, signs_from = $4 WHERE kid = $1 AND realm = $2 AND alg = $3',
      [key.kid, realm, key.alg, key.signs_from],
    );
    if (reused.rowCount === 0) {
      // The lock is per realm: another realm's start may be inserting this kid now; the conflict waits for it.
      const inserted = await tx.query(
        `INSERT INTO signing_keys (kid, realm, alg, public_jwk, private_jwk_enc, source, created_at, signs_from)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (kid) DO NOTHING`,
        [key.kid, realm, key.alg, JSON.stringify(key.public_jwk), key.private_jwk_enc, key.source, key.created_at, key.signs_from],
      );
      if (inserted.rowCount === 0) {
        // No statement deletes a signing key: the row in the way is there to be read.
        const { realm: holder, alg } = (await this.findByKid(key.kid, tx))!;
        throw new SigningKeyTaken(key.kid, { realm: holder, alg });
      }
    }
    return true;
  }
}

/** A key {@link SigningKeyRepository.replaceActive} installs: a row as it is inserted. */
export type NewSigningKey = Omit<SigningKeyRow, 'realm' | 'retired_at' | 'publish_until' | 'signs_from' | 'withdrawn_at'> & {
  signs_from: Date;
};

/** Serialises, per realm, every change to its keys (installs, retirements, withdrawals) until `tx` ends. */
export async function lockRealmKeys(tx: Queryable, realm: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`signing_keys:${realm}`]);
}
