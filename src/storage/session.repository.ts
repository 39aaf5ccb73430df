import { Inject, Injectable } from '@nestjs/common';
import type { IdentityLink } from '../identity/identity-link.js';
import type { PersonName } from '../identity/principal.js';
import type { SessionContext } from '../identity/session-context.js';
import type { UserType } from '../identity/user-type.js';
import type { NewAuditEvent } from './audit-event.repository.js';
import { DATABASE, type Database, type NamedStatement, type Queryable } from './database.js';
import { groupedLookups, rowsByLookup } from './grouped-lookups.js';

export interface SessionRow {
  id: string;
  realm: string;
  user_id: string;
  client_id: string;
  idp_alias: string;
  idp_session_index: string | null;
  user_type: UserType;
  /** Display name only (OIDC `profile` claims); never a national identifier. */
  profile: PersonName;
  auth_time: Date;
  acr: string | null;
  link: IdentityLink;
  scope: string;
  tenant: string | null;
  refresh_jti: string | null;
  created_at: Date;
  idle_expires_at: Date;
  max_expires_at: Date;
  ended_at: Date | null;
  end_reason: string | null;
  context: SessionContext | null;
  parent_id: string | null;
  delegation: Delegation | null;
  /** Encrypted `{system}|{value}` of a citizen's CPR/BSN, only where a client's tokens need it. */
  national_id_enc: string | null;
  /**
   * The browser's SSO session this client session was opened in (sso-session.repository.ts), which it
   * never outlives (a delegated session inherits it from its parent); null for sessions opened before SSO existed.
   */
  sso_session_id?: string | null;
}

/** What tokens of an exchanged (child) session carry besides the user (RFC 8693 §4.1). */
export interface Delegation {
  act: Record<string, unknown>;
  audience: string[];
}

/** When a session ends if nothing else happens (epoch seconds): the earlier of its idle and absolute ends. */
export function sessionEndsAt(session: Pick<SessionRow, 'idle_expires_at' | 'max_expires_at'>): number {
  return Math.floor(Math.min(session.idle_expires_at.getTime(), session.max_expires_at.getTime()) / 1000);
}

/**
 * An audit event written by the statement that changes the session (a success, audit-event.repository.ts's
 * columns); its user, session, IdP alias and tenant are the session's own, filled in by that statement.
 */
export type SessionEvent = Pick<NewAuditEvent, 'occurred_at' | 'realm' | 'type' | 'client_id' | 'ip_address' | 'details'>;

export type NewSession = Omit<SessionRow, 'ended_at' | 'end_reason' | 'refresh_jti'>;

/** Session `s` is live at `now`: not ended, inside both lifetimes, and so are its parent and its SSO session if it has them. */
function liveAt(now: string): string {
  return `s.ended_at IS NULL AND s.idle_expires_at > ${now} AND s.max_expires_at > ${now}
  AND (s.parent_id IS NULL OR EXISTS (
    SELECT 1 FROM sessions p WHERE p.id = s.parent_id AND p.ended_at IS NULL AND p.idle_expires_at > ${now} AND p.max_expires_at > ${now}))
  AND (s.sso_session_id IS NULL OR EXISTS (
    SELECT 1 FROM sso_sessions u WHERE u.id = s.sso_session_id AND u.ended_at IS NULL AND u.idle_expires_at > ${now} AND u.max_expires_at > ${now}))`;
}

/** {@link liveAt} the time in `$2`, for the statements that take one. */
const LIVE = liveAt('$2');

/**
 * Every column of {@link SessionRow}, named: a named statement must not say `s.*` (database.ts), or a
 * migration adding a column would break it on the instances still running.
 */
const SESSION_COLUMNS = [
  'id',
  'realm',
  'user_id',
  'client_id',
  'idp_alias',
  'idp_session_index',
  'user_type',
  'profile',
  'auth_time',
  'acr',
  'link',
  'scope',
  'tenant',
  'refresh_jti',
  'created_at',
  'idle_expires_at',
  'max_expires_at',
  'ended_at',
  'end_reason',
  'context',
  'parent_id',
  'delegation',
  'national_id_enc',
  'sso_session_id',
]
  .map((column) => `s.${column}`)
  .join(', ');

/**
 * The statement of {@link SessionRepository.findLive}, for the lookups of one turn of the event loop
 * (grouped-lookups.ts): a refresh token's introspection, a refresh that chooses a context, an
 * authorization code's redemption, the admin API. `$1` holds their session ids and `$2` the time of each. With a million sessions the plan is one
 * primary-key lookup per id (EXPLAIN, issue 14).
 */
const FIND_LIVE: NamedStatement = {
  name: 'sessions.find-live-many',
  text: `SELECT q.ord::int AS lookup, ${SESSION_COLUMNS}
           FROM unnest($1::text[], $2::timestamptz[]) WITH ORDINALITY AS q(id, now, ord)
           JOIN sessions s ON s.id = q.id
          WHERE ${liveAt('q.now')}`,
};

/**
 * The statement of {@link SessionRepository.findLiveUnlessRevoked}, grouped likewise: every token
 * exchange, introspection and userinfo call. `$3` holds each lookup's access token `jti`, probed in
 * the primary key of the revoked tokens.
 */
const FIND_LIVE_UNLESS_REVOKED: NamedStatement = {
  name: 'sessions.find-live-unless-revoked-many',
  text: `SELECT q.ord::int AS lookup, ${SESSION_COLUMNS}
           FROM unnest($1::text[], $2::timestamptz[], $3::text[]) WITH ORDINALITY AS q(id, now, jti, ord)
           JOIN sessions s ON s.id = q.id
          WHERE ${liveAt('q.now')}
            AND NOT EXISTS (SELECT 1 FROM revoked_access_tokens r WHERE r.jti = q.jti)`,
};

/** The statement of {@link SessionRepository.rotateRefresh}, planned once per connection (database.ts). */
const ROTATE_REFRESH: NamedStatement = {
  name: 'sessions.rotate-refresh',
  text: `WITH rotated AS (
           UPDATE sessions AS s
              SET refresh_jti = $4,
                  idle_expires_at = LEAST($2::timestamptz + make_interval(secs => $5), s.max_expires_at),
                  context = COALESCE($6::jsonb, s.context)
            WHERE s.id = $1 AND s.refresh_jti = $3 AND ${LIVE}
            RETURNING ${SESSION_COLUMNS}),
         slid AS (
           UPDATE sso_sessions AS u SET idle_expires_at = LEAST($2::timestamptz + make_interval(secs => $5), u.max_expires_at)
             FROM rotated r WHERE u.id = r.sso_session_id),
         recorded AS (
           INSERT INTO audit_events (occurred_at, realm, type, outcome, client_id, user_id, session_id, idp_alias, ip_address, tenant, details)
           SELECT e.occurred_at, e.realm, e.type, 'success', e.client_id, r.user_id, r.id, r.idp_alias, e.ip_address, r.tenant, e.details
             FROM rotated r
            CROSS JOIN jsonb_to_recordset($7::jsonb)
                    AS e(occurred_at timestamptz, realm text, type text, client_id text, ip_address text, details jsonb))
         SELECT * FROM rotated`,
};

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

  /** A session that has not ended and is inside both its idle and its absolute lifetime. */
  findLive(id: string, now: Date): Promise<SessionRow | undefined> {
    return this.groupedLive({ id, now });
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
   * matches. In the same statement (data-modifying CTEs, one round trip and one commit: issue 14)
   * the SSO session the session belongs to slides with it, so an active client keeps the browser's
   * SSO session alive, and `events` are written with the session's subject, so the rotation and its
   * audit events commit together or not at all (issue 13). Returns the updated session, or undefined
   * when the token is not the current one or the session (or its SSO session) is over; then nothing
   * was written.
   */
  async rotateRefresh(
    id: string,
    presentedJti: string,
    nextJti: string,
    idleSeconds: number,
    now: Date,
    context?: SessionContext,
    events: SessionEvent[] = [],
    db: Queryable = this.db,
  ): Promise<SessionRow | undefined> {
    const { rows } = await db.query<SessionRow>(ROTATE_REFRESH, [
      id,
      now,
      presentedJti,
      nextJti,
      idleSeconds,
      context === undefined ? null : JSON.stringify(context),
      JSON.stringify(events),
    ]);
    return rows[0];
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

  /** A user's live sessions in a realm, newest first (the admin API's view of them). */
  async findLiveOfUser(realm: string, userId: string, now: Date): Promise<SessionRow[]> {
    const { rows } = await this.db.query<SessionRow>(
      `SELECT s.* FROM sessions s WHERE s.user_id = $1 AND ${LIVE} AND s.realm = $3 ORDER BY s.created_at DESC`,
      [userId, now, realm],
    );
    return rows;
  }

  /** Ends every live session of a user in a realm; returns the ids this call ended. */
  async endAllOfUser(realm: string, userId: string, reason: string, now: Date, db: Queryable = this.db): Promise<string[]> {
    const { rows } = await db.query<{ id: string }>(
      `UPDATE sessions AS s SET ended_at = $2, end_reason = $4 WHERE s.user_id = $1 AND ${LIVE} AND s.realm = $3 RETURNING s.id`,
      [userId, now, realm, reason],
    );
    return rows.map((row) => row.id);
  }

  /** The client sessions of SSO session `ssoSessionId` not yet ended: those its end will end. */
  async unendedInSso(ssoSessionId: string, db: Queryable = this.db): Promise<Pick<SessionRow, 'id' | 'realm' | 'client_id'>[]> {
    const { rows } = await db.query<Pick<SessionRow, 'id' | 'realm' | 'client_id'>>(
      'SELECT id, realm, client_id FROM sessions WHERE sso_session_id = $1 AND ended_at IS NULL',
      [ssoSessionId],
    );
    return rows;
  }

  /** Ends every client session opened in SSO session `ssoSessionId` (logout, or the SSO session ended). */
  async endAllInSso(ssoSessionId: string, reason: string, now: Date, db: Queryable = this.db): Promise<number> {
    const { rowCount } = await db.query(
      'UPDATE sessions SET ended_at = $3, end_reason = $2 WHERE sso_session_id = $1 AND ended_at IS NULL',
      [ssoSessionId, reason, now],
    );
    return rowCount;
  }

  async count(): Promise<number> {
    const { rows } = await this.db.query<{ n: string }>('SELECT count(*)::text AS n FROM sessions');
    return Number(rows[0]!.n);
  }
}
