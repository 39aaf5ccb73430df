import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type Database, type NamedStatement, type Queryable } from './database.js';

/**
 * What `users.external_id` holds since migration 018: a keyed digest of the IdP's identifier for the
 * person, behind this prefix. Rows of earlier releases hold the identifier itself, which for a citizen
 * may be a CPR or BSN (DigiD's NameID `s00000000:…`): they are replaced by the digest at the person's
 * next login ({@link UserRepository.upsert}) and by the sweep at boot ({@link UserRepository.replaceLegacy}).
 */
export const EXTERNAL_ID_DIGEST_PREFIX = 'hmac:v1:';

/**
 * What a legacy row's external id becomes when its identity already has a digest row: a user created
 * by an instance of an earlier release during a rolling upgrade, after an instance of this one had
 * created the digest row. The row stays (sessions refer to it); the identifier in the clear goes.
 */
const SUPERSEDED_PREFIX = 'superseded:';

/** An IdP identity as a login names it: the digest stored, and the identifier an earlier release stored. */
export interface ExternalIdentity {
  /** `EXTERNAL_ID_DIGEST_PREFIX` and the keyed digest. */
  digest: string;
  /** The identifier in the clear: only compared with rows of earlier releases, never written. */
  legacy: string;
}

/** A row of an earlier release, external id still in the clear. */
export interface LegacyUserRow {
  id: string;
  realm: string;
  idp_alias: string;
  external_id: string;
}

/** How a legacy row was replaced, if at all (another instance or a login may have done it first). */
export type LegacyReplacement = 'digest' | 'superseded' | 'gone';

/**
 * A row whose external id is still the identifier in the clear: neither a digest nor a marker. The
 * predicate of migration 018's partial index, written out so the planner can match it; and what a
 * login may take over, so an IdP identifier that happens to read as another row's digest or marker
 * (a marker names a user id, which is the `sub` in tokens) finds no row to take.
 */
const IN_THE_CLEAR = `external_id NOT LIKE '${EXTERNAL_ID_DIGEST_PREFIX}%' AND external_id NOT LIKE '${SUPERSEDED_PREFIX}%'`;

/**
 * The rows still in the clear, by the partial index of migration 018, which holds only them: every
 * boot asks, and on a table of millions of users without such rows the answer must not be a scan of
 * them all.
 */
export const LEGACY_ROWS: NamedStatement = {
  name: 'users.legacy-rows',
  text: `SELECT id, realm, idp_alias, external_id FROM users WHERE id > $1 AND ${IN_THE_CLEAR} ORDER BY id LIMIT $2`,
};

/** Internal users; their id is the stable `sub` of every token (never a national identifier). */
@Injectable()
export class UserRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  /**
   * The user for this IdP identity, created on first login; one statement, so concurrent first logins
   * agree. A row of an earlier release with the identifier in the clear is taken over (same id, so
   * the same `sub`) and its external id replaced by the digest, unless a digest row exists already.
   * Two logins taking over one row: the second waits for the first's row lock, then finds the row no
   * longer in the clear, and its INSERT meets the first's digest (ON CONFLICT).
   */
  async upsert(realm: string, idpAlias: string, identity: ExternalIdentity, now: Date, db: Queryable = this.db): Promise<string> {
    const { rows } = await db.query<{ id: string }>(
      `WITH adopted AS (
         UPDATE users SET external_id = $4, last_login_at = $5
          WHERE realm = $2 AND idp_alias = $3 AND external_id = $6 AND ${IN_THE_CLEAR}
            AND NOT EXISTS (SELECT 1 FROM users WHERE realm = $2 AND idp_alias = $3 AND external_id = $4)
         RETURNING id
       ), created AS (
         INSERT INTO users (id, realm, idp_alias, external_id, created_at, last_login_at)
         SELECT $1, $2, $3, $4, $5, $5 WHERE NOT EXISTS (SELECT 1 FROM adopted)
         ON CONFLICT (realm, idp_alias, external_id) DO UPDATE SET last_login_at = EXCLUDED.last_login_at
         RETURNING id
       )
       SELECT id FROM adopted UNION ALL SELECT id FROM created`,
      [randomUUID(), realm, idpAlias, identity.digest, now, identity.legacy],
    );
    return rows[0]!.id;
  }

  /** Whether realm `realm` has user `id` (one who logged in here, whether or not a session of theirs lives). */
  async exists(realm: string, id: string): Promise<boolean> {
    const { rows } = await this.db.query(`SELECT 1 FROM users WHERE id = $1 AND realm = $2`, [id, realm]);
    return rows.length > 0;
  }

  /** Up to `limit` rows still in the clear, in id order after `afterId` (the sweep pages through the table once). */
  async legacyRows(afterId: string, limit: number): Promise<LegacyUserRow[]> {
    const { rows } = await this.db.query<LegacyUserRow>(LEGACY_ROWS, [afterId, limit]);
    return rows;
  }

  /**
   * Replaces legacy row `row`'s external id by `digest`, or, when its identity already has a digest
   * row, by a marker naming only the row itself. Nothing when a login or another instance did first.
   */
  async replaceLegacy(row: LegacyUserRow, digest: string): Promise<LegacyReplacement> {
    const { rows } = await this.db.query<{ external_id: string }>(
      `UPDATE users u SET external_id = CASE
         WHEN EXISTS (SELECT 1 FROM users d WHERE d.realm = u.realm AND d.idp_alias = u.idp_alias AND d.external_id = $3)
         THEN $4 || u.id ELSE $3 END
        WHERE u.id = $1 AND u.external_id = $2
        RETURNING u.external_id`,
      [row.id, row.external_id, digest, SUPERSEDED_PREFIX],
    );
    if (rows.length === 0) return 'gone';
    return rows[0]!.external_id === digest ? 'digest' : 'superseded';
  }
}
