import type { FastifyRequest } from 'fastify';
import { engines } from '../../test/support/database-engines.js';
import { migratedScratch } from '../../test/support/migrated-scratch.js';
import { at, clientSessionRow, insertUser, ssoSessionRow, T0 } from '../../test/support/session-rows.js';
import { TestClock } from '../../test/support/test-clock.js';
import { AuditTrail } from '../audit/audit-trail.service.js';
import type { FhirGateways } from '../fhir/fhir-gateways.js';
import type { RealmRegistry } from '../realms/realm.registry.js';
import { SsoSessionService } from '../sessions/sso-session.service.js';
import { AuditEventRepository } from '../storage/audit-event.repository.js';
import type { Database } from '../storage/database.js';
import { FhirAuditOutboxRepository } from '../storage/fhir-audit-outbox.repository.js';
import { SessionRepository } from '../storage/session.repository.js';
import { SsoSessionRepository } from '../storage/sso-session.repository.js';
import { UserRepository } from '../storage/user.repository.js';
import { SessionAdminService } from './session-admin.service.js';

/**
 * What an administrator's "log out everywhere" records: every SSO session it ends is a LOGOUT, as
 * every other end of an SSO session is (AuditTrail.ssoSessionEnded), its own when none of its client
 * sessions was still live; one that had run out is none, and is not counted as ended.
 */
describe.each(engines)('an administrator logging a user out on $name', (engine) => {
  const storage = migratedScratch(engine);
  const clock = new TestClock(at(10));
  let db: Database;
  let admin: SessionAdminService;
  beforeAll(() => {
    db = storage.db;
    const sessions = new SessionRepository(db);
    // No realm here sends FHIR AuditEvents, so neither FHIR nor a realm's other settings are read.
    const realms = { get: () => ({ config: { audit: { fhir: false } } }) } as unknown as RealmRegistry;
    const audit = new AuditTrail(
      db,
      new AuditEventRepository(db),
      sessions,
      new FhirAuditOutboxRepository(db),
      realms,
      {} as FhirGateways,
      clock,
    );
    const ssoSessions = new SsoSessionService(new SsoSessionRepository(db), sessions, clock, {} as never);
    admin = new SessionAdminService(
      sessions,
      new SsoSessionRepository(db),
      ssoSessions,
      new AuditEventRepository(db),
      new UserRepository(db),
      audit,
      clock,
    );
  });

  const adminRequest = { oauthRealm: { name: 'r' }, oauthClient: { clientId: 'admin-cli' }, ip: '192.0.2.1' } as unknown as FastifyRequest;
  const events = async (type: string) =>
    (
      await db.query<{ session_id: string; user_id: string; client_id: string | null; details: Record<string, unknown> }>(
        'SELECT session_id, user_id, client_id, details FROM audit_events WHERE type = $1 ORDER BY id',
        [type],
      )
    ).rows;

  it('records a LOGOUT of its own for a live SSO session whose client sessions had all ended, none for one that ran out', async () => {
    const user = 'user-everywhere';
    await insertUser(db, user, T0);
    const repository = new SsoSessionRepository(db);
    // A browser's SSO session whose one client session its app has since revoked: it still opens client sessions without the IdP.
    await repository.create(ssoSessionRow('sso-live', user, T0));
    const revoked = 'sso-live.revoked-app';
    await new SessionRepository(db).create(clientSessionRow(revoked, user, T0, { sso_session_id: 'sso-live' }));
    await new SessionRepository(db).end(revoked, 'refresh token revoked', at(5));
    // A browser's SSO session with a live client session, and one that ran out before the logout.
    await repository.create(ssoSessionRow('sso-busy', user, T0));
    await new SessionRepository(db).create(clientSessionRow('sso-busy.app', user, T0, { sso_session_id: 'sso-busy' }));
    await repository.create(ssoSessionRow('sso-gone', user, at(-3600), { idle_expires_at: at(-1) }));

    await expect(admin.logoutUser(adminRequest, user)).resolves.toBe(1);

    const logouts = await events('LOGOUT');
    expect(logouts.map((e) => [e.session_id, e.client_id, e.details])).toEqual([
      ['sso-busy.app', 'app', { by: 'admin', actor: 'admin-cli' }],
      ['sso-live', null, { by: 'admin', actor: 'admin-cli', sso_session: true }],
    ]);
    const [action] = await events('ADMIN_ACTION');
    expect(action).toMatchObject({ user_id: user, details: { resource_path: `users/${user}/logout`, sessions: 1, sso_sessions: 2 } });
    expect((await repository.find('sso-live'))!.ended_at).not.toBeNull();
  });
});
