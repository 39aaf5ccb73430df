import { Inject, Injectable } from '@nestjs/common';
import type { SessionContext } from '../identity/session-context.js';
import type { NewAuditEvent } from './audit-event.repository.js';
import { DATABASE, type Database, type Queryable } from './database.js';
import { groupCommitted } from './group-commit.js';
import { groupedLookups, rowsByLookup } from './grouped-lookups.js';
import type { EndedClientSession, NewSession, SessionRow } from './session.row.js';
import {
  FIND_LIVE,
  FIND_LIVE_LOCKED,
  FIND_LIVE_UNLESS_REVOKED,
  LIVE,
  LIVE_MOCKED_OUTSIDE_SSO,
  LOCK_ALL_OF_USER,
  LOCK_IN_SSO_SESSIONS,
  LOCK_WITH_DELEGATED,
  ROTATE_REFRESH,
} from './session.statements.js';

export type { Delegation, EndedClientSession, NewSession, SessionRow } from './session.row.js';
export { sessionEndsAt } from './session.row.js';

/**
 * An audit event written by the statement that changes the session (a success, audit-event.repository.ts's
 * columns); its user, session, IdP alias and tenant are the session's own, filled in by that statement.
 */
export type SessionEvent = Pick<NewAuditEvent, 'occurred_at' | 'realm' | 'type' | 'client_id' | 'ip_address' | 'details'>;

/** One rotation of {@link SessionRepository.rotateRefresh}, as ROTATE_REFRESH reads it from JSON. */
interface Rotation {
  id: string;
  now: Date;
  presented: string;
  next: string;
  idle: number;
  context: SessionContext | null;
  events: SessionEvent[];
}

/** Session `alias` is inside its idle and absolute ends at `now`: past either it has run out, which is not an event. */
function withinEnds(alias: string, now: string): string {
  return `${alias}.idle_expires_at > ${now} AND ${alias}.max_expires_at > ${now}`;
}

/** Login sessions; every refresh, revocation and logout is one conditional statement here. */
@Injectable()
export class SessionRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async create(session: NewSession, db: Queryable = this.db): Promise<void> {
    await db.query(
      `INSERT INTO sessions (id, realm, user_id, client_id, idp_alias, idp_session_index, user_type, profile, auth_time, acr, link,
                             scope, tenant, created_at, idle_expires_at, max_expires_at, context, parent_id, delegation, national_id_enc,
                             sso_session_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`,
      [
        session.id,
        session.realm,
        session.user_id,
        session.client_id,
        session.idp_alias,
        session.idp_session_index,
        session.user_type,
        JSON.stringify(session.profile),
        session.auth_time,
        session.acr,
        JSON.stringify(session.link),
        session.scope,
        session.tenant,
        session.created_at,
        session.idle_expires_at,
        session.max_expires_at,
        session.context === null ? null : JSON.stringify(session.context),
        session.parent_id,
        session.delegation === null ? null : JSON.stringify(session.delegation),
        session.national_id_enc,
        session.sso_session_id ?? null,
      ],
    );
  }

  async find(id: string, db: Queryable = this.db): Promise<SessionRow | undefined> {
    const { rows } = await db.query<SessionRow>('SELECT * FROM sessions WHERE id = $1', [id]);
    return rows[0];
  }

  /**
   * A session that has not ended and is inside both its idle and its absolute lifetime. In a
   * transaction (`db`), read alone there and locked until it commits (FIND_LIVE_LOCKED): a grouped
   * lookup would go through the pool, which an embedded database's one connection held by the
   * transaction cannot serve (DESIGN.md §5).
   */
  async findLive(id: string, now: Date, db?: Queryable): Promise<SessionRow | undefined> {
    if (!db) return this.groupedLive({ id, now });
    const { rows } = await db.query<SessionRow>(FIND_LIVE_LOCKED, [id, now]);
    return rows[0];
  }

  /**
   * The live session of access token `jti`, unless that token was revoked (RFC 7009 §2.1,
   * revoked-access-token.repository.ts): both checks in one round trip, which cost the database as
   * much CPU again as the statements themselves when made apart (issue 14).
   */
  findLiveUnlessRevoked(id: string, jti: string, now: Date): Promise<SessionRow | undefined> {
    return this.groupedLiveUnlessRevoked({ id, jti, now });
  }

  private readonly groupedLive = groupedLookups(async (lookups: readonly { id: string; now: Date }[]) => {
    const { rows } = await this.db.query<SessionRow & { lookup: number }>(FIND_LIVE, [lookups.map((l) => l.id), lookups.map((l) => l.now)]);
    return rowsByLookup(rows, lookups.length);
  });

  private readonly groupedLiveUnlessRevoked = groupedLookups(async (lookups: readonly { id: string; jti: string; now: Date }[]) => {
    const { rows } = await this.db.query<SessionRow & { lookup: number }>(FIND_LIVE_UNLESS_REVOKED, [
      lookups.map((l) => l.id),
      lookups.map((l) => l.now),
      lookups.map((l) => l.jti),
    ]);
    return rowsByLookup(rows, lookups.length);
  });

  /** Sets the refresh token that may be used next (at login). */
  async setRefreshJti(id: string, jti: string, db: Queryable = this.db): Promise<void> {
    await db.query('UPDATE sessions SET refresh_jti = $2 WHERE id = $1', [id, jti]);
  }

  /**
   * Rotation (RFC 9700 §4.14.2): moves the chain from `presentedJti` to `nextJti` and slides the
   * idle end, in one conditional UPDATE — of concurrent refreshes with one token, exactly one
   * matches. In the same statement (data-modifying CTEs: issue 14) the SSO session the session
   * belongs to slides with it, so an active client keeps the browser's SSO session alive, and `events`
   * are written with the session's subject, so the rotation and its audit events commit together or
   * not at all (issue 13). Rotations share that statement by a group commit (ROTATE_REFRESH,
   * group-commit.ts): those asked for while one runs go together in the next. Returns the updated
   * session, or undefined when the token is not the current one or the session (or its SSO session) is
   * over; then nothing was written.
   */
  rotateRefresh(
    id: string,
    presentedJti: string,
    nextJti: string,
    idleSeconds: number,
    now: Date,
    context?: SessionContext,
    events: SessionEvent[] = [],
  ): Promise<SessionRow | undefined> {
    return this.groupedRotations({ id, now, presented: presentedJti, next: nextJti, idle: idleSeconds, context: context ?? null, events });
  }

  private readonly groupedRotations = groupCommitted<Rotation, SessionRow | undefined>(async (rotations) => {
    const { rows } = await this.db.query<SessionRow & { lookup: number }>(ROTATE_REFRESH, [JSON.stringify(rotations)]);
    return rowsByLookup(rows, rotations.length);
  });

  /**
   * Moves the ends of the client sessions in SSO session `ssoSessionId` (those delegated from them
   * included, which carry it) no later than `maxEnd`: a renewed authentication whose IdP session ends
   * sooner (SAML Core §2.7.2 `SessionNotOnOrAfter`) moved the SSO session's maximum there. They would
   * die with it anyway (LIVE), but their rows are what their tokens' `exp` and `refresh_expires_in`
   * state (sessionEndsAt), and a rotation slides no further than the row's maximum. Run after the SSO
   * session's UPDATE in the same transaction: that row is held first (session.statements.ts).
   */
  async capToSso(ssoSessionId: string, maxEnd: Date, db: Queryable = this.db): Promise<void> {
    await db.query(
      `UPDATE sessions SET max_expires_at = LEAST(max_expires_at, $2), idle_expires_at = LEAST(idle_expires_at, $2)
        WHERE sso_session_id = $1 AND ended_at IS NULL AND max_expires_at > $2`,
      [ssoSessionId, maxEnd],
    );
  }

  /**
   * Ends the session if it is live (a refresh token's reuse: a session already over stays as it is);
   * true when this call ended it. One conditional UPDATE, so of concurrent callers one wins.
   */
  async endIfLive(id: string, reason: string, now: Date, db: Queryable = this.db): Promise<boolean> {
    const { rowCount } = await db.query(`UPDATE sessions AS s SET ended_at = $2, end_reason = $3 WHERE s.id = $1 AND ${LIVE}`, [
      id,
      now,
      reason,
    ]);
    return rowCount === 1;
  }

  /** Ends the session; true when this call ended it. */
  async end(id: string, reason: string, now: Date, db: Queryable = this.db): Promise<boolean> {
    const { rowCount } = await db.query('UPDATE sessions SET ended_at = $3, end_reason = $2 WHERE id = $1 AND ended_at IS NULL', [
      id,
      reason,
      now,
    ]);
    return rowCount === 1;
  }

  /**
   * Locks session `id`, the sessions delegated from it and their SSO session until the end of
   * transaction `tx`, in the order every transaction that locks several takes them (session.statements.ts):
   * first in a transaction that ends the session and then {@link endDelegatedFrom}.
   */
  async lockWithDelegated(id: string, tx: Queryable): Promise<void> {
    await tx.query(LOCK_WITH_DELEGATED, [id]);
  }

  /** Locks, likewise, SSO sessions `ssoSessionIds` and their client sessions: first in a transaction that ends several. */
  async lockInSsoSessions(ssoSessionIds: readonly string[], tx: Queryable): Promise<void> {
    await tx.query(LOCK_IN_SSO_SESSIONS, [ssoSessionIds]);
  }

  /** Locks, likewise, every session and SSO session of a user that has not ended: first in a transaction that ends them all. */
  async lockAllOfUser(realm: string, userId: string, tx: Queryable): Promise<void> {
    await tx.query(LOCK_ALL_OF_USER, [realm, userId]);
  }

  /**
   * Ends the sessions delegated from session `id` (RFC 8693 token exchange, `parent_id`), and those
   * delegated from them, that have not ended and are still inside their idle and absolute ends at
   * `now`; returns their ids. They stop being live with their parent anyway (the LIVE condition),
   * but only a row that ends gets its LOGOUT and queues its clients' back-channel logout (migration
   * 013's trigger), and one that has run out must get neither: "Expiry is not an event" (migration
   * 013). The walk does not go through a session that has run out either: what was delegated from it
   * stopped being live when it ran out (LIVE checks the parent's ends), so that end was expiry too.
   */
  async endDelegatedFrom(id: string, reason: string, now: Date, db: Queryable = this.db): Promise<string[]> {
    const { rows } = await db.query<{ id: string }>(
      `WITH RECURSIVE delegated AS (
         SELECT d.id FROM sessions d WHERE d.parent_id = $1 AND ${withinEnds('d', '$3')}
         UNION
         SELECT d.id FROM sessions d JOIN delegated p ON d.parent_id = p.id WHERE ${withinEnds('d', '$3')}
       )
       UPDATE sessions SET ended_at = $3, end_reason = $2 WHERE id IN (SELECT id FROM delegated) AND ended_at IS NULL RETURNING id`,
      [id, reason, now],
    );
    return rows.map((row) => row.id);
  }

  /** Ids of up to `limit` live sessions of mocked users outside any SSO session, in any realm ({@link LIVE_MOCKED_OUTSIDE_SSO}). */
  async liveOfMockedUsersOutsideSso(now: Date, limit: number): Promise<string[]> {
    const { rows } = await this.db.query<{ id: string }>(LIVE_MOCKED_OUTSIDE_SSO, [limit, now]);
    return rows.map((row) => row.id);
  }

  /** A user's live sessions in a realm, newest first (the admin API's view of them). */
  async findLiveOfUser(realm: string, userId: string, now: Date): Promise<SessionRow[]> {
    const { rows } = await this.db.query<SessionRow>(
      `SELECT s.* FROM sessions s WHERE s.user_id = $1 AND ${LIVE} AND s.realm = $3 ORDER BY s.created_at DESC`,
      [userId, now, realm],
    );
    return rows;
  }

  /** Ends every live session of a user in a realm; returns those this call ended, with the SSO session each was opened in. */
  async endAllOfUser(
    realm: string,
    userId: string,
    reason: string,
    now: Date,
    db: Queryable = this.db,
  ): Promise<{ id: string; sso_session_id: string | null }[]> {
    const { rows } = await db.query<{ id: string; sso_session_id: string | null }>(
      `UPDATE sessions AS s SET ended_at = $2, end_reason = $4 WHERE s.user_id = $1 AND ${LIVE} AND s.realm = $3
       RETURNING s.id, s.sso_session_id`,
      [userId, now, realm, reason],
    );
    return rows;
  }

  /**
   * Ends every client session opened in SSO session `ssoSessionId` (logout, or the SSO session
   * ended) that has not ended and is still inside its idle and absolute ends at `now`; returns
   * exactly the rows this statement ended, so the caller records a LOGOUT for those and no others: a
   * session another caller ended first is not returned (no second LOGOUT), one opened just before is
   * (not ended silently). One that has run out is left as it is: "Expiry is not an event" (migration
   * 013), so it gets no LOGOUT and its trigger queues no back-channel logout token for it.
   */
  async endAllInSso(ssoSessionId: string, reason: string, now: Date, db: Queryable = this.db): Promise<EndedClientSession[]> {
    const { rows } = await db.query<EndedClientSession>(
      `UPDATE sessions AS s SET ended_at = $3, end_reason = $2
        WHERE s.sso_session_id = $1 AND s.ended_at IS NULL AND ${withinEnds('s', '$3')}
       RETURNING s.id, s.realm, s.client_id`,
      [ssoSessionId, reason, now],
    );
    return rows;
  }

  async count(): Promise<number> {
    const { rows } = await this.db.query<{ n: string }>('SELECT count(*)::text AS n FROM sessions');
    return Number(rows[0]!.n);
  }
}
