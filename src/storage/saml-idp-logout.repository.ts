import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type Database, type NamedStatement, type Queryable } from './database.js';

/** An IdP LogoutRequest this SP accepted, as stored (migration 021): the NameID only as a keyed digest. */
export interface SamlIdpLogout {
  realm: string;
  idpAlias: string;
  nameIdDigest: string;
  /** The request's ID: a request sent again (it cannot be: the replay table) is one row. */
  requestId: string;
  /** The SessionIndexes it named; empty for every session of the person. */
  sessionIndexes: readonly string[];
  /** Its IssueInstant. */
  issuedAt: Date;
  /** Until when it applies to an assertion arriving after it. */
  expiresAt: Date;
}

/** An assertion about to make a session: whom it names at which IdP, under which SessionIndex, issued when. */
export interface ArrivingAssertion {
  realm: string;
  idpAlias: string;
  nameIdDigest: string;
  sessionIndex?: string;
  issuedAt: Date;
}

/** Whom a LogoutRequest names and an assertion is about: one person at one IdP of one realm. */
type Subject = Pick<SamlIdpLogout, 'realm' | 'idpAlias' | 'nameIdDigest'>;

/**
 * One person's lock at one IdP, until the transaction ends (SAML Core §3.7.3.2). Without it, on
 * PostgreSQL (READ COMMITTED, many connections), a login could look for a LogoutRequest before one
 * was recorded, the LogoutRequest then look for the person's sessions before the login's committed,
 * and the login commit a session the IdP had logged out. Under it, the two run one after the other:
 * a LogoutRequest recorded first is seen by the login's lookup, which is a statement of its own after
 * the lock (a statement's snapshot is taken when it starts, so one that took the lock itself would not
 * see a row committed while it waited); a login first has committed its session before the request's
 * row commits, and so before SingleLogoutService looks for sessions. Two-key form: its own space,
 * apart from the one-key locks of the migrations and the signing keys; the table's name is the first
 * key, a hash of the person the second. Two people whose hashes collide only wait for each other.
 * PGlite takes it too, and never waits: it runs one transaction at a time.
 */
const SUBJECT_LOCK: NamedStatement = {
  name: 'saml-idp-logouts.subject-lock',
  text: `SELECT pg_advisory_xact_lock(hashtext('saml_idp_logouts'), hashtext($1))`,
};

/**
 * The ACS's one lookup, by the primary key's prefix (realm, IdP, NameID digest): prepared once per
 * connection, for it runs in every SAML login. An assertion without SessionIndex is covered only by a
 * request that named none (`NULL = ANY(…)` is not true). An assertion issued at the request's own
 * instant is covered: IdPs that write whole seconds cannot say which came first, and a session the IdP
 * has logged out is worse than a new login refused, which the person repeats a second later.
 */
const COVERING: NamedStatement = {
  name: 'saml-idp-logouts.covering',
  text: `SELECT 1 FROM saml_idp_logouts
          WHERE realm = $1 AND idp_alias = $2 AND name_id_digest = $3
            AND issued_at >= $4 AND expires_at > $5
            AND (cardinality(session_indexes) = 0 OR $6::text = ANY(session_indexes))
          LIMIT 1`,
};

/** Rows of `saml_idp_logouts`: the IdP LogoutRequests that still apply to a late assertion (SAML Core §3.7.3.2). */
@Injectable()
export class SamlIdpLogoutRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  /**
   * Records an accepted LogoutRequest under its person's lock ({@link SUBJECT_LOCK}); the same one
   * again changes nothing. In a transaction of its own, committed when this resolves; or in `tx`, then
   * the lock is held until `tx` ends, and the sessions it names are to be looked for only after that.
   */
  async record(row: SamlIdpLogout, tx?: Queryable): Promise<void> {
    if (tx === undefined) return this.db.transaction((own) => this.record(row, own));
    await this.lock(row, tx);
    await tx.query(
      `INSERT INTO saml_idp_logouts (realm, idp_alias, name_id_digest, request_id, session_indexes, issued_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
      [row.realm, row.idpAlias, row.nameIdDigest, row.requestId, [...row.sessionIndexes], row.issuedAt, row.expiresAt],
    );
  }

  /**
   * Whether an unexpired LogoutRequest of the same IdP for the same NameID covers `assertion` (SAML
   * Core §3.7.3.2): it named the assertion's SessionIndex or none, and was issued after the assertion.
   * An assertion issued after it is a new login (the person authenticated at the IdP again), and passes.
   * Asked under the person's lock ({@link SUBJECT_LOCK}), held until `db`'s transaction ends: the
   * login's, which makes its session after. Outside a transaction, the lock only waits for a
   * LogoutRequest being recorded.
   */
  async covers(assertion: ArrivingAssertion, now: Date, db: Queryable = this.db): Promise<boolean> {
    await this.lock(assertion, db);
    const { rows } = await db.query(COVERING, [
      assertion.realm,
      assertion.idpAlias,
      assertion.nameIdDigest,
      assertion.issuedAt,
      now,
      assertion.sessionIndex ?? null,
    ]);
    return rows.length > 0;
  }

  private async lock(subject: Subject, tx: Queryable): Promise<void> {
    await tx.query(SUBJECT_LOCK, [[subject.realm, subject.idpAlias, subject.nameIdDigest].join('\n')]);
  }
}
