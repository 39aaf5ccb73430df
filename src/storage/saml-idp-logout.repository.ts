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

/**
 * The ACS's one lookup, by the primary key's prefix (realm, IdP, NameID digest): prepared once per
 * connection, for it runs in every SAML login. An assertion without SessionIndex is covered only by a
 * request that named none (`NULL = ANY(…)` is not true).
 */
const COVERING: NamedStatement = {
  name: 'saml-idp-logouts.covering',
  text: `SELECT 1 FROM saml_idp_logouts
          WHERE realm = $1 AND idp_alias = $2 AND name_id_digest = $3
            AND issued_at > $4 AND expires_at > $5
            AND (cardinality(session_indexes) = 0 OR $6::text = ANY(session_indexes))
          LIMIT 1`,
};

/** Rows of `saml_idp_logouts`: the IdP LogoutRequests that still apply to a late assertion (SAML Core §3.7.3.2). */
@Injectable()
export class SamlIdpLogoutRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  /** Records an accepted LogoutRequest; the same one again changes nothing. */
  async record(row: SamlIdpLogout, db: Queryable = this.db): Promise<void> {
    await db.query(
      `INSERT INTO saml_idp_logouts (realm, idp_alias, name_id_digest, request_id, session_indexes, issued_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
      [row.realm, row.idpAlias, row.nameIdDigest, row.requestId, [...row.sessionIndexes], row.issuedAt, row.expiresAt],
    );
  }

  /**
   * Whether an unexpired LogoutRequest of the same IdP for the same NameID covers `assertion` (SAML
   * Core §3.7.3.2): it named the assertion's SessionIndex or none, and was issued after the assertion.
   * An assertion issued after it is a new login (the person authenticated at the IdP again), and passes.
   */
  async covers(assertion: ArrivingAssertion, now: Date, db: Queryable = this.db): Promise<boolean> {
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
}
