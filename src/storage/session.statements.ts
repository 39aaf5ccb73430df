import type { NamedStatement } from './database.js';

/**
 * The SQL of the `sessions` table's hot paths (session.repository.ts): what "live" means, and the
 * named statements PostgreSQL plans once per connection (database.ts).
 */

/** Session `s` is live at `now`: not ended, inside both lifetimes, and so are its parent and its SSO session if it has them. */
function liveAt(now: string): string {
  return `s.ended_at IS NULL AND s.idle_expires_at > ${now} AND s.max_expires_at > ${now}
  AND (s.parent_id IS NULL OR EXISTS (
    SELECT 1 FROM sessions p WHERE p.id = s.parent_id AND p.ended_at IS NULL AND p.idle_expires_at > ${now} AND p.max_expires_at > ${now}))
  AND (s.sso_session_id IS NULL OR EXISTS (
    SELECT 1 FROM sso_sessions u WHERE u.id = s.sso_session_id AND u.ended_at IS NULL AND u.idle_expires_at > ${now} AND u.max_expires_at > ${now}))`;
}

/** {@link liveAt} the time in `$2`, for the statements that take one. */
export const LIVE = liveAt('$2');

/**
 * Every column of {@link SessionRow}, named: a named statement must not say `s.*` (database.ts), or a
 * migration adding a column would break it on the instances still running.
 */
const SESSION_COLUMN_NAMES = [
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
];

/** {@link SESSION_COLUMN_NAMES} of the row named `alias`. */
function sessionColumns(alias: string): string {
  return SESSION_COLUMN_NAMES.map((column) => `${alias}.${column}`).join(', ');
}

const SESSION_COLUMNS = sessionColumns('s');

/**
 * The statement of `SessionRepository.findLive`, for the lookups of one turn of the event loop
 * (grouped-lookups.ts): a refresh token's introspection, a refresh that chooses a context, an
 * authorization code's redemption, the admin API. `$1` holds their session ids and `$2` the time of
 * each. With a million sessions the plan is one primary-key lookup per id (EXPLAIN, issue 14).
 */
export const FIND_LIVE: NamedStatement = {
  name: 'sessions.find-live-many',
  text: `SELECT q.ord::int AS lookup, ${SESSION_COLUMNS}
           FROM unnest($1::text[], $2::timestamptz[]) WITH ORDINALITY AS q(id, now, ord)
           JOIN sessions s ON s.id = q.id
          WHERE ${liveAt('q.now')}`,
};

/**
 * The statement of `SessionRepository.findLiveUnlessRevoked`, grouped likewise: every token
 * exchange, introspection and userinfo call. `$3` holds each lookup's access token `jti`, probed in
 * the primary key of the revoked tokens.
 */
export const FIND_LIVE_UNLESS_REVOKED: NamedStatement = {
  name: 'sessions.find-live-unless-revoked-many',
  text: `SELECT q.ord::int AS lookup, ${SESSION_COLUMNS}
           FROM unnest($1::text[], $2::timestamptz[], $3::text[]) WITH ORDINALITY AS q(id, now, jti, ord)
           JOIN sessions s ON s.id = q.id
          WHERE ${liveAt('q.now')}
            AND NOT EXISTS (SELECT 1 FROM revoked_access_tokens r WHERE r.jti = q.jti)`,
};

/**
 * The statement of `SessionRepository.rotateRefresh`, for the rotations of one turn of the event loop
 * (grouped-lookups.ts; issue 14: under 32 concurrent refreshes this made them 1.56× as fast on
 * PostgreSQL and 2.9× on PGlite, where each statement is also a write to disk). `$1` is a JSON array
 * of rotations: session id, time, presented and next jti, idle seconds (an integer, as the config's
 * `sessionIdle`), context and events.
 *
 * Each rotation is the conditional UPDATE it was alone: it matches only the current token of a live
 * session, so of two rotations with one token exactly one wins, in one statement (an UPDATE changes a
 * row once) or in two (the second finds the row changed and re-checks it). The SSO session slides
 * with it, and its events are written with the session's subject, all in the one statement: both or
 * neither (issue 13). Each row names its rotation (`lookup`); a rotation without a row changed nothing.
 *
 * One statement now locks several rows, so it takes its locks in the one order every statement that
 * locks both kinds takes them: SSO sessions before client sessions, as an SSO session's end does
 * (SsoSessionService.endWithClientSessions), and each kind in id order (FOR UPDATE locks after the
 * sort; `locked` waits for all of `sso_locked` through its count). So neither two rotation statements
 * nor a rotation and a logout ever wait for each other in a cycle.
 */
export const ROTATE_REFRESH: NamedStatement = {
  name: 'sessions.rotate-refresh-many',
  text: `WITH q AS MATERIALIZED (
           SELECT * FROM ROWS FROM (jsonb_to_recordset($1::jsonb)
                    AS (id text, now timestamptz, presented text, next text, idle int, context jsonb, events jsonb))
                    WITH ORDINALITY AS q(id, now, presented, next, idle, context, events, ord)),
         sso_locked AS MATERIALIZED (
           SELECT u.id FROM sso_sessions u
            WHERE u.id IN (SELECT s.sso_session_id FROM sessions s WHERE s.id IN (SELECT q.id FROM q))
            ORDER BY u.id FOR UPDATE),
         locked AS MATERIALIZED (
           SELECT s.id FROM sessions s CROSS JOIN (SELECT count(*) FROM sso_locked) AS after_sso
            WHERE s.id IN (SELECT q.id FROM q) ORDER BY s.id FOR UPDATE OF s),
         rotated AS (
           UPDATE sessions AS s
              SET refresh_jti = q.next,
                  idle_expires_at = LEAST(q.now + make_interval(secs => q.idle), s.max_expires_at),
                  context = COALESCE(q.context, s.context)
             FROM q
            WHERE s.id = q.id AND s.id IN (SELECT l.id FROM locked l) AND s.refresh_jti = q.presented AND ${liveAt('q.now')}
            RETURNING q.ord, q.now + make_interval(secs => q.idle) AS slide_to, q.events, ${SESSION_COLUMNS}),
         slid AS (
           UPDATE sso_sessions AS u SET idle_expires_at = LEAST(r.slide_to, u.max_expires_at)
             FROM (SELECT r.sso_session_id, max(r.slide_to) AS slide_to FROM rotated r GROUP BY r.sso_session_id) r
            WHERE u.id = r.sso_session_id),
         recorded AS (
           INSERT INTO audit_events (occurred_at, realm, type, outcome, client_id, user_id, session_id, idp_alias, ip_address, tenant, details)
           SELECT e.occurred_at, e.realm, e.type, 'success', e.client_id, r.user_id, r.id, r.idp_alias, e.ip_address, r.tenant, e.details
             FROM rotated r
            CROSS JOIN jsonb_to_recordset(r.events)
                    AS e(occurred_at timestamptz, realm text, type text, client_id text, ip_address text, details jsonb))
         SELECT r.ord::int AS lookup, ${sessionColumns('r')} FROM rotated r`,
};
