import { Logger } from '@nestjs/common';
import { engines } from '../../test/support/database-engines.js';
import { migratedScratch } from '../../test/support/migrated-scratch.js';
import { at, clientSessionRow, insertUser, ssoSessionRow, T0 } from '../../test/support/session-rows.js';
import { planOf } from '../../test/support/statement-plans.js';
import { TestClock } from '../../test/support/test-clock.js';
import { AuditTrail } from '../audit/audit-trail.service.js';
import type { Config } from '../config/config.schema.js';
import type { FhirGateways } from '../fhir/fhir-gateways.js';
import type { RealmRegistry } from '../realms/realm.registry.js';
import { SsoSessionService } from '../sessions/sso-session.service.js';
import { AuditEventRepository } from '../storage/audit-event.repository.js';
import type { Database } from '../storage/database.js';
import { FhirAuditOutboxRepository } from '../storage/fhir-audit-outbox.repository.js';
import { SessionRepository, type NewSession } from '../storage/session.repository.js';
import { LIVE_MOCKED_OUTSIDE_SSO } from '../storage/session.statements.js';
import { LIVE_MOCKED_SSO_SESSIONS, SsoSessionRepository } from '../storage/sso-session.repository.js';
import { MockedSessionsSweep } from './mocked-sessions-sweep.js';
import { SingleLogoutService } from './single-logout.service.js';

/**
 * A database a development or test instance filled, with mocked users' sessions in it, started in
 * production: the start ends every one of them still live, with its LOGOUT, and nothing else.
 */
describe.each(engines)('mocked users’ sessions at a production start, on $name', (engine) => {
  const storage = migratedScratch(engine);
  const clock = new TestClock(at(10));
  let db: Database;
  let sessions: SessionRepository;
  let ssoSessions: SsoSessionRepository;
  let sweepIn: (environment: Config['environment']) => MockedSessionsSweep;

  beforeAll(() => {
    // A line per SSO session ended (SsoSessionService), hundreds here.
    Logger.overrideLogger(false);
    db = storage.db;
    sessions = new SessionRepository(db);
    ssoSessions = new SsoSessionRepository(db);
    // The sweep's LOGOUTs are never FHIR AuditEvents, so no realm is read: a mocked user's realm may be
    // configured no more, and one that sends FHIR AuditEvents must not get a made-up person's.
    const realms = {
      get: (name: string) => {
        throw new Error(`realm ${name} read`);
      },
    } as unknown as RealmRegistry;
    const audit = new AuditTrail(
      db,
      new AuditEventRepository(db),
      sessions,
      new FhirAuditOutboxRepository(db),
      realms,
      {} as FhirGateways,
      clock,
    );
    // Ending SSO sessions reads no national identifier and sends nothing: the other collaborators stay unused.
    const ssoService = new SsoSessionService(ssoSessions, sessions, clock, {} as never);
    const singleLogout = new SingleLogoutService({} as never, {} as never, ssoService, {} as never, audit);
    sweepIn = (environment) => new MockedSessionsSweep({ environment } as Config, ssoSessions, sessions, singleLogout, audit, clock);
  });

  const session = async (row: NewSession) => {
    await sessions.create(row);
    await sessions.setRefreshJti(row.id, 'jti-0');
  };
  const rotates = async (id: string) => (await sessions.rotateRefresh(id, 'jti-0', `next-${id}`, 1800, clock.now())) !== undefined;
  const logouts = async () =>
    (
      await db.query<{ session_id: string; realm: string; client_id: string | null; idp_alias: string; details: Record<string, unknown> }>(
        `SELECT session_id, realm, client_id, idp_alias, details FROM audit_events WHERE type = 'LOGOUT' ORDER BY session_id`,
      )
    ).rows;
  const count = async (sql: string) => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`)).rows[0]!.n;

  /**
   * A mocked citizen's SSO session with an app's and a portal's session in it and a session a partner
   * was delegated from the portal's (token exchange); another whose only client session was logged out
   * already; a session of a release before SSO sessions with one delegated from it; one in a realm
   * the production config has no more; one that ran out. Beside them the SSO session and the older
   * session of a SAML login.
   */
  beforeAll(async () => {
    await insertUser(db, 'mocked', T0);
    await insertUser(db, 'real', T0, 'nemlog-in');
    await ssoSessions.create(ssoSessionRow('sso-mock', 'mocked', T0));
    await session(clientSessionRow('sso-mock.app', 'mocked', T0, { sso_session_id: 'sso-mock' }));
    await session(clientSessionRow('sso-mock.portal', 'mocked', T0, { sso_session_id: 'sso-mock', client_id: 'portal' }));
    await session(
      clientSessionRow('sso-mock.partner', 'mocked', T0, { sso_session_id: 'sso-mock', parent_id: 'sso-mock.portal', client_id: 'xis' }),
    );
    await ssoSessions.create(ssoSessionRow('sso-mock-idle', 'mocked', T0, { secret_hash: 'digest-idle' }));
    await session(clientSessionRow('sso-mock-idle.app', 'mocked', T0, { sso_session_id: 'sso-mock-idle' }));
    await sessions.end('sso-mock-idle.app', 'logout', at(5));
    await session(clientSessionRow('older-mock', 'mocked', T0));
    await session(clientSessionRow('older-mock.partner', 'mocked', T0, { parent_id: 'older-mock', client_id: 'xis' }));
    await ssoSessions.create(ssoSessionRow('sso-mock-gone', 'mocked', T0, { secret_hash: 'digest-gone', realm: 'gone' }));
    await session(clientSessionRow('sso-mock-gone.app', 'mocked', T0, { sso_session_id: 'sso-mock-gone', realm: 'gone' }));
    await ssoSessions.create(ssoSessionRow('sso-mock-over', 'mocked', T0, { secret_hash: 'digest-over', idle_expires_at: at(5) }));
    await session(clientSessionRow('sso-mock-over.app', 'mocked', T0, { sso_session_id: 'sso-mock-over', idle_expires_at: at(5) }));
    await ssoSessions.create(ssoSessionRow('sso-real', 'real', T0, { secret_hash: 'digest-real', idp_alias: 'nemlog-in' }));
    await session(clientSessionRow('sso-real.app', 'real', T0, { sso_session_id: 'sso-real', idp_alias: 'nemlog-in' }));
    await session(clientSessionRow('older-real', 'real', T0, { idp_alias: 'nemlog-in' }));
  });

  const mockedLive = ['sso-mock.app', 'sso-mock.portal', 'sso-mock.partner', 'older-mock', 'older-mock.partner', 'sso-mock-gone.app'];

  it('outside production a start ends nothing', async () => {
    await sweepIn('development').onApplicationBootstrap();
    await sweepIn('test').onApplicationBootstrap();
    for (const id of mockedLive) expect((await sessions.findLive(id, clock.now()))?.id).toBe(id);
    expect(await ssoSessions.findLive('sso-mock', clock.now())).toBeDefined();
    expect(await logouts()).toEqual([]);
  });

  it('a production start ends every live session of a mocked user and its SSO session, each with its LOGOUT by the start', async () => {
    await expect(sweepIn('production').sweep()).resolves.toEqual({ ssoSessions: 3, sessions: 5 });
    for (const id of mockedLive) {
      expect(await sessions.findLive(id, clock.now())).toBeUndefined();
      // Its refresh token mints nothing more.
      expect(await rotates(id)).toBe(false);
    }
    for (const id of ['sso-mock', 'sso-mock-idle', 'sso-mock-gone']) expect(await ssoSessions.findLive(id, clock.now())).toBeUndefined();
    expect((await sessions.find('sso-mock.app'))!.end_reason).toBe('mocked user in production');
    expect((await ssoSessions.find('sso-mock'))!.end_reason).toBe('mocked user in production');

    const by = { by: 'start', reason: 'mocked_user_in_production' };
    expect(await logouts()).toEqual([
      { session_id: 'older-mock', realm: 'r', client_id: 'app', idp_alias: 'mock', details: by },
      { session_id: 'older-mock.partner', realm: 'r', client_id: 'xis', idp_alias: 'mock', details: by },
      { session_id: 'sso-mock-gone.app', realm: 'gone', client_id: 'app', idp_alias: 'mock', details: by },
      // Its one client session had ended already: the SSO session, which could still open one, is its own.
      { session_id: 'sso-mock-idle', realm: 'r', client_id: null, idp_alias: 'mock', details: { ...by, sso_session: true } },
      { session_id: 'sso-mock.app', realm: 'r', client_id: 'app', idp_alias: 'mock', details: by },
      { session_id: 'sso-mock.partner', realm: 'r', client_id: 'xis', idp_alias: 'mock', details: by },
      { session_id: 'sso-mock.portal', realm: 'r', client_id: 'portal', idp_alias: 'mock', details: by },
    ]);
    // Their clients hear of it by back-channel logout, as of any end (the one logged out before, of its
    // logout); a made-up person is no FHIR AuditEvent.
    const queued = await db.query<{ session_id: string }>('SELECT session_id FROM backchannel_logouts ORDER BY session_id');
    expect(queued.rows.map((row) => row.session_id)).toEqual([...mockedLive, 'sso-mock-idle.app'].sort());
    expect(await count('fhir_audit_outbox')).toBe(0);
  });

  it('leaves a real login’s sessions as they were, and a mocked one that ran out without an event', async () => {
    expect((await ssoSessions.findLive('sso-real', clock.now()))?.ended_at).toBeNull();
    for (const id of ['sso-real.app', 'older-real']) expect(await rotates(id)).toBe(true);
    // Expiry is not an event (migration 013): it stays as it ran out.
    expect((await sessions.find('sso-mock-over.app'))!.ended_at).toBeNull();
    expect((await ssoSessions.find('sso-mock-over'))!.ended_at).toBeNull();
    expect((await logouts()).filter((row) => row.session_id.includes('real') || row.session_id.includes('over'))).toEqual([]);
  });

  it('a second production start finds nothing to end and records nothing', async () => {
    const before = await count('audit_events');
    await expect(sweepIn('production').sweep()).resolves.toEqual({ ssoSessions: 0, sessions: 0 });
    expect(await count('audit_events')).toBe(before);
  });

  it('ends them page after page, however many a load test left', async () => {
    await db.query(
      `INSERT INTO sso_sessions (id, realm, user_id, secret_hash, idp_alias, user_type, profile, auth_time, link, created_at, idle_expires_at, max_expires_at)
       SELECT 'many-' || g, 'r', 'mocked', 'digest-many-' || g, 'mock', 'PATIENT', '{}', $1, '{"kind":"none"}', $1, $2, $2
         FROM generate_series(1, 250) g`,
      [T0, at(1800)],
    );
    await db.query(
      `INSERT INTO sessions (id, realm, user_id, client_id, idp_alias, user_type, profile, auth_time, link, scope, created_at,
                             idle_expires_at, max_expires_at, sso_session_id)
       SELECT u.id || '.app', 'r', 'mocked', 'app', 'mock', 'PATIENT', '{}', $1, '{"kind":"none"}', 'openid', $1, $2, $2, u.id
         FROM sso_sessions u WHERE u.id LIKE 'many-%'`,
      [T0, at(1800)],
    );
    await expect(sweepIn('production').sweep()).resolves.toEqual({ ssoSessions: 250, sessions: 250 });
    expect(await count(`sessions WHERE id LIKE 'many-%' AND ended_at IS NULL`)).toBe(0);
    expect(await count(`audit_events WHERE type = 'LOGOUT' AND session_id LIKE 'many-%'`)).toBe(250);
  });

  if (engine.name !== 'postgres') return;

  it('asks by migration 020’s indexes of mocked users’ sessions alone, not by reading every session', async () => {
    await db.query(
      `INSERT INTO sso_sessions (id, realm, user_id, secret_hash, idp_alias, user_type, profile, auth_time, link, created_at, idle_expires_at, max_expires_at)
       SELECT 'saml-' || g, 'r', 'real', 'digest-saml-' || g, 'nemlog-in', 'PATIENT', '{}', $1, '{"kind":"none"}', $1, $2, $2
         FROM generate_series(1, 20000) g`,
      [T0, at(1800)],
    );
    await db.query(
      `INSERT INTO sessions (id, realm, user_id, client_id, idp_alias, user_type, profile, auth_time, link, scope, created_at,
                             idle_expires_at, max_expires_at, sso_session_id)
       SELECT u.id || '.app', 'r', 'real', 'app', 'nemlog-in', 'PATIENT', '{}', $1, '{"kind":"none"}', 'openid', $1, $2, $2, u.id
         FROM sso_sessions u WHERE u.id LIKE 'saml-%'`,
      [T0, at(1800)],
    );
    await db.query('ANALYZE sso_sessions');
    await db.query('ANALYZE sessions');
    for (const executions of [0, 8]) {
      const args = `100, '${clock.now().toISOString()}'`;
      const sso = await planOf(db, { statement: LIVE_MOCKED_SSO_SESSIONS, types: 'int, timestamptz', args }, { executions });
      expect(sso.plan).toContain('sso_sessions_mocked');
      const outside = await planOf(db, { statement: LIVE_MOCKED_OUTSIDE_SSO, types: 'int, timestamptz', args }, { executions });
      expect(outside.plan).toContain('sessions_mocked_outside_sso');
    }
  });
});
