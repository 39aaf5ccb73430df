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

/** The statement of `SessionRepository.rotateRefresh`, planned once per connection (database.ts). */
export const ROTATE_REFRESH: NamedStatement = {
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
