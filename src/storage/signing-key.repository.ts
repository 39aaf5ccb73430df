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
  retired_at: Date | null;
  publish_until: Date | null;
}

/** Rows of `signing_keys`. A realm has at most one key per algorithm with `retired_at` null: its active key of that algorithm. */
@Injectable()
export class SigningKeyRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async findActive(realm: string, alg: string, db: Queryable = this.db): Promise<SigningKeyRow | undefined> {
    const { rows } = await db.query<SigningKeyRow>('SELECT * FROM signing_keys WHERE realm = $1 AND alg = $2 AND retired_at IS NULL', [
      realm,
      alg,
    ]);
    return rows[0];
  }

  /** The active key and every retired key still inside its publication window. */
  async findPublished(realm: string, now: Date): Promise<SigningKeyRow[]> {
    const { rows } = await this.db.query<SigningKeyRow>(
      `SELECT * FROM signing_keys
        WHERE realm = $1 AND (retired_at IS NULL OR publish_until > $2)
        ORDER BY retired_at IS NOT NULL, created_at DESC`,
      [realm, now],
    );
    return rows;
  }

  async findByKid(kid: string): Promise<SigningKeyRow | undefined> {
    const { rows } = await this.db.query<SigningKeyRow>('SELECT * FROM signing_keys WHERE kid = $1', [kid]);
    return rows[0];
  }

  /**
   * Retires the realm's active keys of algorithms other than `inUse` (published until `publishUntil`):
   * a realm that no longer signs with an algorithm stops signing with its key, and verifiers can check
   * what it signed until then. Serialised per realm with {@link replaceActive}.
   */
  async retireUnused(realm: string, inUse: readonly string[], now: Date, publishUntil: Date): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`signing_keys:${realm}`]);
      await tx.query(
        'UPDATE signing_keys SET retired_at = $3, publish_until = $4 WHERE realm = $1 AND retired_at IS NULL AND NOT (alg = ANY($2))',
        [realm, inUse, now, publishUntil],
      );
    });
  }

  /**
   * Retires the realm's active key of `key`'s algorithm (published until `publishUntil`) and makes
   * `key` the active one, in one transaction serialised per realm, so two instances starting together
   * install one key. `shouldReplace` sees the active key under the lock and may decide nothing needs to
   * change; `alsoInTransaction` writes what must commit with the rotation (its audit event).
   */
  async replaceActive(
    realm: string,
    key: Omit<SigningKeyRow, 'realm' | 'retired_at' | 'publish_until'>,
    publishUntil: Date,
    shouldReplace: (active: SigningKeyRow | undefined) => boolean,
    alsoInTransaction?: (tx: Queryable) => Promise<void>,
  ): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`signing_keys:${realm}`]);
      const active = await this.findActive(realm, key.alg, tx);
      if (!shouldReplace(active)) return false;
      if (active) {
        await tx.query('UPDATE signing_keys SET retired_at = $2, publish_until = $3 WHERE kid = $1', [
          active.kid,
          key.created_at,
          publishUntil,
        ]);
      }
      const reused = await tx.query('UPDATE signing_keys SET retired_at = NULL, publish_until = NULL WHERE kid = $1 AND realm = $2', [
        key.kid,
        realm,
      ]);
      if (reused.rowCount === 0) {
        await tx.query(
          `INSERT INTO signing_keys (kid, realm, alg, public_jwk, private_jwk_enc, source, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [key.kid, realm, key.alg, JSON.stringify(key.public_jwk), key.private_jwk_enc, key.source, key.created_at],
        );
      }
      await alsoInTransaction?.(tx);
      return true;
    });
  }
}
