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
 * The batch of a lookup statement: `arrays` unnested as `columns`, with each row's place (`ord`). The
 * LIMIT drops nothing (it is the first array's length); it lets PostgreSQL keep one plan for the
 * statement. In a custom plan, made with the arrays' values, the batch's size is known; in a generic
 * one it is estimated at 10 rows for an `unnest` and a tenth of that under a LIMIT it cannot evaluate,
 * so one row. Without the LIMIT the generic plan (10 rows) never looked as cheap as a custom one for a
 * batch of one, the common case, and PostgreSQL planned the statement anew on every call: among 2,874
 * sessions, 113–117 µs of a backend's CPU a lookup of one session against 23–37 µs with the generic
 * plan kept, and 143–150 against 37–43 µs with the revocation check (3,000 calls a round, two rounds
 * each; issue 14). The generic plan is a primary-key lookup per row; session.repository.spec.ts checks
 * that PostgreSQL settles on it.
 */
function lookupBatch(arrays: string[], columns: string): string {
  return `(SELECT * FROM unnest(${arrays.join(', ')}) WITH ORDINALITY AS q(${columns}, ord) LIMIT cardinality(${arrays[0]})) AS q`;
}

/**
 * The statement of `SessionRepository.findLive`, for the lookups of one turn of the event loop
 * (grouped-lookups.ts): a refresh token's introspection, a refresh that chooses a context, an
 * authorization code's redemption, the admin API. `$1` holds their session ids and `$2` the time of
 * each. With a million sessions the plan is one primary-key lookup per id (EXPLAIN, issue 14).
 */
export const FIND_LIVE: NamedStatement = {
  name: 'sessions.find-live-many',
  text: `SELECT q.ord::int AS lookup, ${SESSION_COLUMNS}
           FROM ${lookupBatch(['$1::text[]', '$2::timestamptz[]'], 'id, now')}
           JOIN sessions s ON s.id = q.id
          WHERE ${liveAt('q.now')}`,
};

/**
 * `SessionRepository.findLive` in a transaction (a code's redemption): the one live session, locked
 * as the UPDATE that ends it would lock it, so an end committed meanwhile is seen (no row) or waits
 * for the transaction, whose tokens then end with the session.
 */
export const FIND_LIVE_LOCKED: NamedStatement = {
  name: 'sessions.find-live-locked',
  text: `SELECT ${SESSION_COLUMNS} FROM sessions s WHERE s.id = $1 AND ${LIVE} FOR NO KEY UPDATE OF s`,
};

/**
 * Up to `$1` live sessions of mocked users' logins (`mock`, as sso-session.repository.ts's
 * LIVE_MOCKED_SSO_SESSIONS) in every realm that are in no SSO session and delegated from none: those
 * of releases before SSO sessions, which a production start ends one by one with the sessions
 * delegated from them (login/mocked-sessions-sweep.ts); one in an SSO session ends with it. By
 * migration 020's index of them alone; the alias is written out for the planner to match its predicate.
 */
export const LIVE_MOCKED_OUTSIDE_SSO: NamedStatement = {
  name: 'sessions.live-mocked-outside-sso',
  text: `SELECT s.id FROM sessions s
          WHERE s.idp_alias = 'mock' AND s.sso_session_id IS NULL AND s.parent_id IS NULL AND ${LIVE}
          ORDER BY s.id LIMIT $1`,
};

/**
 * The statement of `SessionRepository.findLiveUnlessRevoked`, grouped likewise: every token
 * exchange, introspection and userinfo call. `$3` holds each lookup's access token `jti`, probed in
 * the primary key of the revoked tokens.
 */
export const FIND_LIVE_UNLESS_REVOKED: NamedStatement = {
  name: 'sessions.find-live-unless-revoked-many',
  text: `SELECT q.ord::int AS lookup, ${SESSION_COLUMNS}
           FROM ${lookupBatch(['$1::text[]', '$2::timestamptz[]', '$3::text[]'], 'id, now, jti')}
           JOIN sessions s ON s.id = q.id
          WHERE ${liveAt('q.now')}
            AND NOT EXISTS (SELECT 1 FROM revoked_access_tokens r WHERE r.jti = q.jti)`,
};

/**
 * The lock order of every transaction that locks more than one session row, or a session with its SSO
 * session: the SSO sessions first, as an SSO session's end does (SsoSessionService.endWithClientSessions,
 * whose first statement ends the SSO session), then the client sessions, each kind in id order. Two
 * such transactions then never hold a row each that the other waits for: PostgreSQL would abort one
 * after `deadlock_timeout` (40P01). Holding an SSO session also holds off every other such transaction
 * on its client sessions, the sessions delegated from them included, which carry their parent's.
 *
 * Two CTEs, `sso_locked` and `locked` (the sessions' ids), of the SSO session ids `ssoIds` and the
 * session ids `sessionIds` select: the rows are locked after the sort, and `locked` takes no session
 * before all of `sso_locked`, which its count waits for. They are locked as an UPDATE of them locks
 * them, FOR NO KEY UPDATE: a new row's foreign key checks (FOR KEY SHARE: a token exchange's session
 * delegated from a locked one, in its SSO session) pass, where FOR UPDATE held them off while the new
 * row's share lock on its parent held off the rotation, a deadlock.
 */
function lockingInOrder(ssoIds: string, sessionIds: string): string {
  return `sso_locked AS MATERIALIZED (
           SELECT u.id FROM sso_sessions u WHERE u.id IN (${ssoIds}) ORDER BY u.id FOR NO KEY UPDATE),
         locked AS MATERIALIZED (
           SELECT s.id FROM sessions s CROSS JOIN (SELECT count(*) FROM sso_locked) AS after_sso
            WHERE s.id IN (${sessionIds}) ORDER BY s.id FOR NO KEY UPDATE OF s)`;
}

/**
 * Locks session `$1`, the sessions delegated from it (token exchange, at any depth) and their SSO
 * session, in {@link lockingInOrder}: before a revocation, a refresh token's reuse or an
 * administrator ends the session and then walks the sessions delegated from it
 * (SessionRepository.endDelegatedFrom). Ended rows are locked too: what is locked is only waited for.
 */
export const LOCK_WITH_DELEGATED: NamedStatement = {
  name: 'sessions.lock-with-delegated',
  text: `WITH RECURSIVE family AS (
           SELECT s.id, s.sso_session_id FROM sessions s WHERE s.id = $1
           UNION
           SELECT d.id, d.sso_session_id FROM sessions d JOIN family f ON d.parent_id = f.id),
         ${lockingInOrder('SELECT f.sso_session_id FROM family f', 'SELECT f.id FROM family f')}
         SELECT count(*)::int AS locked FROM locked`,
};

/**
 * Locks the SSO sessions `$1` and every client session in them that has not ended, in
 * {@link lockingInOrder}: before a logout ends them one after the other
 * (SingleLogoutService.endSsoSessions), in the order it was given them.
 */
export const LOCK_IN_SSO_SESSIONS: NamedStatement = {
  name: 'sessions.lock-in-sso-sessions',
  text: `WITH ${lockingInOrder(
    'SELECT unnest($1::text[])',
    'SELECT o.id FROM sessions o WHERE o.sso_session_id = ANY($1::text[]) AND o.ended_at IS NULL',
  )}
         SELECT count(*)::int AS locked FROM locked`,
};

/**
 * Locks every session that has not ended of user `$2` in realm `$1` and every SSO session of theirs that
 * has not ended, in {@link lockingInOrder}: before an administrator ends them all
 * (SessionAdminService.logoutUser), which ends the sessions and then the SSO sessions.
 */
export const LOCK_ALL_OF_USER: NamedStatement = {
  name: 'sessions.lock-all-of-user',
  text: `WITH ${lockingInOrder(
    `SELECT s.sso_session_id FROM sessions s WHERE s.realm = $1 AND s.user_id = $2 AND s.ended_at IS NULL
             UNION SELECT o.id FROM sso_sessions o WHERE o.realm = $1 AND o.user_id = $2 AND o.ended_at IS NULL`,
    'SELECT o.id FROM sessions o WHERE o.realm = $1 AND o.user_id = $2 AND o.ended_at IS NULL',
  )}
         SELECT count(*)::int AS locked FROM locked`,
};

/**
 * The statement of `SessionRepository.rotateRefresh`, for the rotations asked for together (issue 14:
 * those of one turn of the event loop made 32 concurrent refreshes 1.56× as fast on PostgreSQL and
 * 2.9× on PGlite, where each statement is also a write to disk; a group commit, group-commit.ts, made
 * them 1.07× as fast again). `$1` is a JSON array of rotations: session id, time, presented and next
 * jti, idle seconds (an integer, as the config's `sessionIdle`), context and events.
 *
 * Each rotation is the conditional UPDATE it was alone: it matches only the current token of a live
 * session, so of two rotations with one token exactly one wins, in one statement (an UPDATE changes a
 * row once) or in two (the second finds the row changed and re-checks it). The SSO session slides
 * with it, and its events are written with the session's subject, all in the one statement: both or
 * neither (issue 13). Each row names its rotation (`lookup`); a rotation without a row changed nothing.
 *
 * A delegated session (token exchange) lives only while the session it was delegated from does
 * ({@link liveAt}), so its idle end slides no further than that session's (`LEAST` passes over the
 * NULL of a session delegated from none): its tokens, whose `exp` and `refresh_expires_in` follow
 * its row, never outlive the subject's session (RFC 8693 §2.2.1 leaves their lifetime to the
 * server). Nor does it slide the SSO session: a portal refreshing on the person's behalf, server to
 * server, is no use of their browser's login, which would otherwise go on answering new
 * authorizations without them.
 *
 * One statement now locks several rows, so it takes its locks in the one order every transaction
 * that locks several takes them ({@link lockingInOrder}). So neither two rotation statements nor a
 * rotation and a logout ever wait for each other in a cycle.
 *
 * The LIMIT drops nothing (it is the array's length); it tells the planner how many rotations there
 * are. A set-returning function is estimated at its `prorows`, 100 for `jsonb_to_recordset` whatever
 * the array holds, and at 100 rows PostgreSQL locked and updated the batch by hashing a sequential
 * scan of every session: with a few thousand sessions that was most of a rotation's cost (EXPLAIN
 * ANALYZE, 12 rotations among 2,874 sessions: 5.6 ms; with the LIMIT, primary-key lookups, 1.8 ms;
 * issue 14). The limit is folded to the batch's size in a custom plan and estimated at a tenth of
 * the 100 in a generic one; session-rotation.spec.ts checks the plan.
 */
export const ROTATE_REFRESH: NamedStatement = {
  name: 'sessions.rotate-refresh-many',
  text: `WITH q AS MATERIALIZED (
           SELECT * FROM ROWS FROM (jsonb_to_recordset($1::jsonb)
                    AS (id text, now timestamptz, presented text, next text, idle int, context jsonb, events jsonb))
                    WITH ORDINALITY AS q(id, now, presented, next, idle, context, events, ord)
          LIMIT jsonb_array_length($1::jsonb)),
         ${lockingInOrder('SELECT s.sso_session_id FROM sessions s WHERE s.id IN (SELECT q.id FROM q)', 'SELECT q.id FROM q')},
         rotated AS (
           UPDATE sessions AS s
              SET refresh_jti = q.next,
                  idle_expires_at = LEAST(q.now + make_interval(secs => q.idle), s.max_expires_at,
                                          (SELECT p.idle_expires_at FROM sessions p WHERE p.id = s.parent_id)),
                  context = COALESCE(q.context, s.context)
             FROM q
            WHERE s.id = q.id AND s.id IN (SELECT l.id FROM locked l) AND s.refresh_jti = q.presented AND ${liveAt('q.now')}
            RETURNING q.ord, q.now + make_interval(secs => q.idle) AS slide_to, q.events, ${SESSION_COLUMNS}),
         slid AS (
           UPDATE sso_sessions AS u SET idle_expires_at = LEAST(r.slide_to, u.max_expires_at)
             FROM (SELECT r.sso_session_id, max(r.slide_to) AS slide_to FROM rotated r WHERE r.parent_id IS NULL GROUP BY r.sso_session_id) r
            WHERE u.id = r.sso_session_id),
         recorded AS (
           INSERT INTO audit_events (occurred_at, realm, type, outcome, client_id, user_id, session_id, idp_alias, ip_address, tenant, details)
           SELECT e.occurred_at, e.realm, e.type, 'success', e.client_id, r.user_id, r.id, r.idp_alias, e.ip_address, r.tenant, e.details
             FROM rotated r
            CROSS JOIN jsonb_to_recordset(r.events)
                    AS e(occurred_at timestamptz, realm text, type text, client_id text, ip_address text, details jsonb))
         SELECT r.ord::int AS lookup, ${sessionColumns('r')} FROM rotated r`,
};
