import type { FastifyRequest } from 'fastify';
import { engines } from '../../test/support/database-engines.js';
import { holding, waitingForLocks } from '../../test/support/lock-races.js';
import { migratedScratch } from '../../test/support/migrated-scratch.js';
import { at, clientSessionRow, insertUser, ssoSessionRow, T0 } from '../../test/support/session-rows.js';
import { TestClock } from '../../test/support/test-clock.js';
import { AuditTrail } from '../audit/audit-trail.service.js';
import type { FhirGateways } from '../fhir/fhir-gateways.js';
import type { RealmRegistry } from '../realms/realm.registry.js';
import { AuditEventRepository } from '../storage/audit-event.repository.js';
import type { Database } from '../storage/database.js';
import { FhirAuditOutboxRepository } from '../storage/fhir-audit-outbox.repository.js';
import { SessionRepository } from '../storage/session.repository.js';
import { SsoSessionRepository } from '../storage/sso-session.repository.js';
import { UserRepository } from '../storage/user.repository.js';
import { SingleLogoutService } from '../login/single-logout.service.js';
import { SsoSessionService } from '../sessions/sso-session.service.js';
import { SessionAdminService } from './session-admin.service.js';

/**
 * The transactions that end several sessions take their locks in the order a refresh token rotation
 * does (session.statements.ts, lockingInOrder): SSO sessions first, then sessions, each in id order.
 * Each race lines a rotation up against one of them on PostgreSQL, the only engine that runs them
 * concurrently. Without that order, PostgreSQL aborts one of the two as a deadlock (40P01).
 */
describe.each(engines)('ending several sessions on $name', (engine) => {
  const storage = migratedScratch(engine);
  const clock = new TestClock(at(10));
  let db: Database;
  let sessions: SessionRepository;
  let audit: AuditTrail;
  let admin: SessionAdminService;
  let singleLogout: SingleLogoutService;
  let n = 0;

  beforeAll(() => {
    db = storage.db;
    sessions = new SessionRepository(db);
    // No realm of these specs sends FHIR AuditEvents, so neither FHIR nor a realm's other settings are read.
    const realms = { get: () => ({ config: { audit: { fhir: false } } }) } as unknown as RealmRegistry;
    audit = new AuditTrail(
      db,
      new AuditEventRepository(db),
      sessions,
      new FhirAuditOutboxRepository(db),
      realms,
      {} as FhirGateways,
      clock,
    );
    // Ending SSO sessions reads no national identifier and sends nothing: the other collaborators stay unused.
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
    singleLogout = new SingleLogoutService({} as never, {} as never, ssoSessions, {} as never, audit);
  });

  /** A user's SSO session with a portal's session in it, a session delegated from the portal's, and another app's session. */
  async function family() {
    const user = `user-lock-${++n}`;
    const sso = `sso-lock-${n}`;
    await insertUser(db, user, T0);
    await new SsoSessionRepository(db).create(ssoSessionRow(sso, user, T0));
    // The delegated session's id sorts first, so a rotation locks it before its parent.
    const [delegated, portal, app] = [`a-delegated-${n}`, `m-portal-${n}`, `z-app-${n}`];
    await sessions.create(clientSessionRow(portal, user, T0, { sso_session_id: sso }));
    await sessions.create(clientSessionRow(delegated, user, T0, { sso_session_id: sso, parent_id: portal, client_id: 'gp' }));
    await sessions.create(clientSessionRow(app, user, T0, { sso_session_id: sso }));
    for (const id of [portal, delegated, app]) await sessions.setRefreshJti(id, 'jti-0');
    return { user, sso, portal, delegated, app };
  }

  const adminRequest = { oauthRealm: { name: 'r' }, oauthClient: { clientId: 'admin-cli' }, ip: '192.0.2.1' } as unknown as FastifyRequest;
  const rotate = (id: string) => sessions.rotateRefresh(id, 'jti-0', `next-${id}`, 300, at(20));
  const eventTypes = async (id: string) =>
    (await db.query<{ type: string }>('SELECT type FROM audit_events WHERE session_id = $1 ORDER BY id', [id])).rows.map((row) => row.type);

  it('a revocation ends the session and those delegated from it, and an administrator all of a user, each with its LOGOUT', async () => {
    const revoked = await family();
    await expect(
      audit.endSession(revoked.portal, { by: 'user', reason: 'revoked' }, (tx) => sessions.end(revoked.portal, 'revoked', at(10), tx)),
    ).resolves.toBe(true);
    expect((await sessions.find(revoked.app))!.ended_at).toBeNull();
    expect([await eventTypes(revoked.portal), await eventTypes(revoked.delegated)]).toEqual([['LOGOUT'], ['LOGOUT']]);

    const everywhere = await family();
    await expect(admin.logoutUser(adminRequest, everywhere.user)).resolves.toBe(3);
    for (const id of [everywhere.portal, everywhere.delegated, everywhere.app]) expect(await eventTypes(id)).toEqual(['LOGOUT']);
    expect((await new SsoSessionRepository(db).find(everywhere.sso))!.ended_at).not.toBeNull();
  });

  if (engine.name !== 'postgres') return;

  it('a revoked session and the sessions delegated from it end while a rotation of both waits, and neither is aborted', async () => {
    const { portal, delegated } = await family();
    // Holds the portal's session, so that the revocation reaches it only once the rotation is queued too.
    const blocker = await holding(db, (tx) => tx.query('SELECT 1 FROM sessions WHERE id = $1 FOR SHARE', [portal]));
    const revocation = audit.endSession(portal, { by: 'user', reason: 'revoked' }, (tx) => sessions.end(portal, 'revoked', at(10), tx));
    await waitingForLocks(db, 1);
    const rotation = Promise.all([rotate(delegated), rotate(portal)]);
    await waitingForLocks(db, 2);
    await blocker.release();

    // Locked in the other order, the revocation would hold the portal's session and wait for the
    // delegated one, which the rotation held while it waited for the portal's.
    const [revoked, rotated] = await Promise.allSettled([revocation, rotation]);
    expect(revoked).toEqual({ status: 'fulfilled', value: true });
    // The revocation went first: both sessions were over when the rotation got them.
    expect(rotated).toEqual({ status: 'fulfilled', value: [undefined, undefined] });
    expect(await sessions.find(delegated)).toMatchObject({ refresh_jti: 'jti-0', end_reason: 'the session it was delegated from ended' });
    expect([await eventTypes(portal), await eventTypes(delegated)]).toEqual([['LOGOUT'], ['LOGOUT']]);
  });

  it("an administrator's logout of a user waits for a rotation that holds their SSO session, and is not aborted", async () => {
    const { user, sso, app } = await family();
    // Holds the SSO session, so that the rotation queues for it first and the logout after it.
    const blocker = await holding(db, (tx) => tx.query('SELECT 1 FROM sso_sessions WHERE id = $1 FOR SHARE', [sso]));
    const rotation = rotate(app);
    await waitingForLocks(db, 1);
    const logout = admin.logoutUser(adminRequest, user);
    await waitingForLocks(db, 2);
    await blocker.release();

    // Ending the sessions before it locked the SSO session, the logout would have held the app's
    // session while it waited for the SSO session, which the rotation held while it waited for that session.
    const [rotated, loggedOut] = await Promise.allSettled([rotation, logout]);
    expect(rotated).toMatchObject({ status: 'fulfilled', value: { refresh_jti: `next-${app}` } });
    expect(loggedOut).toEqual({ status: 'fulfilled', value: 3 });
    expect(await sessions.find(app)).toMatchObject({ refresh_jti: `next-${app}`, end_reason: 'ended by an administrator' });
    expect(await new SsoSessionRepository(db).find(sso)).toMatchObject({ end_reason: 'ended by an administrator' });
  });

  it('a logout at the IdP ending two SSO sessions waits for a rotation that holds the first of them, and is not aborted', async () => {
    const first = await family();
    const second = await family();
    // The logout names them in the other order than their ids (IdpSubjects.liveSsoSessions decides it).
    const [later, earlier] = [first, second].sort((a, b) => (a.sso < b.sso ? 1 : -1)) as [typeof first, typeof first];
    const blocker = await holding(db, (tx) => tx.query('SELECT 1 FROM sso_sessions WHERE id = $1 FOR SHARE', [earlier.sso]));
    const rotation = Promise.all([rotate(earlier.app), rotate(later.app)]);
    await waitingForLocks(db, 1);
    const logout = singleLogout.endSsoSessions([later.sso, earlier.sso], 'ended at the IdP', { by: 'idp' });
    await waitingForLocks(db, 2);
    await blocker.release();

    // Ending one SSO session and its client sessions before it locked the next, the logout would have
    // held the later SSO session while it waited for the earlier, which the rotation held while it waited for the later.
    const [rotated, loggedOut] = await Promise.allSettled([rotation, logout]);
    expect(rotated).toMatchObject({
      status: 'fulfilled',
      value: [{ refresh_jti: `next-${earlier.app}` }, { refresh_jti: `next-${later.app}` }],
    });
    expect(loggedOut).toMatchObject({ status: 'fulfilled', value: { ssoSessions: [later.sso, earlier.sso] } });
    expect((loggedOut as PromiseFulfilledResult<{ clientSessions: unknown[] }>).value.clientSessions).toHaveLength(6);
  });
});
