import type { Queryable } from '../../src/storage/database.js';
import type { NewSession, SessionEvent } from '../../src/storage/session.repository.js';
import type { NewSsoSession } from '../../src/storage/sso-session.repository.js';

/** The instant storage specs start at, and {@link at} a number of seconds after it. */
export const T0 = new Date('2030-01-01T10:00:00Z');
export const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

/** What a repository spec's sessions have in common: a citizen of realm `r`, logged in at `start`, without a context. */
function loginFacts(userId: string, start: Date, idpAlias: string) {
  return {
    realm: 'r',
    user_id: userId,
    idp_alias: idpAlias,
    idp_session_index: null,
    user_type: 'PATIENT' as const,
    profile: {},
    auth_time: start,
    acr: null,
    link: { kind: 'none' as const },
    national_id_enc: null,
    created_at: start,
  };
}

/** The user a session belongs to (its foreign key), in realm `r`. */
export async function insertUser(db: Queryable, userId: string, start: Date, idpAlias = 'mock'): Promise<void> {
  await db.query(`INSERT INTO users (id, realm, idp_alias, external_id, created_at, last_login_at) VALUES ($1, 'r', $2, $1, $3, $3)`, [
    userId,
    idpAlias,
    start,
  ]);
}

/**
 * `count` copies of session `id`, with ids `{prefix}1` on, then ANALYZE as autovacuum would have the
 * table: for the specs of how PostgreSQL plans a statement among thousands of sessions (issue 14).
 */
export async function copySession(db: Queryable, id: string, count: number, prefix: string): Promise<void> {
  await db.query(
    `INSERT INTO sessions SELECT r.* FROM sessions s, generate_series(1, $2::int) g,
       LATERAL jsonb_populate_record(NULL::sessions, to_jsonb(s) || jsonb_build_object('id', $3::text || g)) r
      WHERE s.id = $1`,
    [id, count, prefix],
  );
  await db.query('ANALYZE sessions');
}

/** A client session of `app` for storage specs, idle 1800 s and at most 36000 s from `start`; `overrides` say what a spec is about. */
export function clientSessionRow(id: string, userId: string, start: Date, overrides: Partial<NewSession> = {}): NewSession {
  return {
    ...loginFacts(userId, start, overrides.idp_alias ?? 'mock'),
    id,
    client_id: 'app',
    scope: 'openid',
    tenant: null,
    idle_expires_at: new Date(start.getTime() + 1800_000),
    max_expires_at: new Date(start.getTime() + 36000_000),
    context: null,
    parent_id: null,
    delegation: null,
    ...overrides,
  };
}

/** An SSO session for storage specs, with the same defaults as {@link clientSessionRow}. */
export function ssoSessionRow(id: string, userId: string, start: Date, overrides: Partial<NewSsoSession> = {}): NewSsoSession {
  return {
    ...loginFacts(userId, start, overrides.idp_alias ?? 'mock'),
    id,
    secret_hash: `digest-${id}`,
    idle_expires_at: new Date(start.getTime() + 1800_000),
    max_expires_at: new Date(start.getTime() + 36000_000),
    ...overrides,
  };
}

/** The REFRESH_TOKEN event a rotation in storage specs writes with it, at `occurredAt`. */
export function refreshEvent(occurredAt: Date): SessionEvent {
  return {
    occurred_at: occurredAt,
    realm: 'r',
    type: 'REFRESH_TOKEN',
    client_id: 'app',
    ip_address: '192.0.2.7',
    details: { scope: 'openid' },
  };
}
