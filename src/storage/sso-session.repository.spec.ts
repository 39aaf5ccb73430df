import { engines } from '../../test/support/database-engines.js';
import { migratedScratch } from '../../test/support/migrated-scratch.js';
import { at, clientSessionRow, insertUser, ssoSessionRow, T0 } from '../../test/support/session-rows.js';
import type { Database } from './database.js';
import { ExpiredRowsRepository } from './expired-rows.repository.js';
import { SessionRepository, sessionEndsAt } from './session.repository.js';
import { SsoSessionRepository } from './sso-session.repository.js';

/** SSO sessions (migration 012) and the client sessions in them: one lifetime bounds the other. */
describe.each(engines)('SSO sessions on $name', (engine) => {
  const storage = migratedScratch(engine);
  let db: Database;
  let ssoSessions: SsoSessionRepository;
  let sessions: SessionRepository;
  let n = 0;

  beforeAll(() => {
    db = storage.db;
    ssoSessions = new SsoSessionRepository(db);
    sessions = new SessionRepository(db);
  });

  async function ssoWithClientSession(idleSeconds = 1800, maxSeconds = 36000) {
    const id = `sso-${++n}`;
    const userId = `user-${n}`;
    await insertUser(db, userId, T0);
    const sso = ssoSessionRow(id, userId, T0, {
      secret_hash: `digest-${n}`,
      idle_expires_at: at(idleSeconds),
      max_expires_at: at(maxSeconds),
    });
    await ssoSessions.create(sso);
    const session = clientSessionRow(`${id}.client`, userId, T0, {
      idle_expires_at: at(idleSeconds),
      max_expires_at: at(maxSeconds),
      sso_session_id: id,
    });
    await sessions.create(session);
    await sessions.setRefreshJti(session.id, 'jti-0');
    return { sso, session };
  }

  it('finds a live SSO session by the digest of its cookie, in its realm only', async () => {
    const { sso } = await ssoWithClientSession();
    expect((await ssoSessions.findLiveBySecret('r', sso.secret_hash, at(1)))?.id).toBe(sso.id);
    expect(await ssoSessions.findLiveBySecret('other', sso.secret_hash, at(1))).toBeUndefined();
    expect(await ssoSessions.findLiveBySecret('r', 'another digest', at(1))).toBeUndefined();
    expect(await ssoSessions.findLiveBySecret('r', sso.secret_hash, at(1800))).toBeUndefined();
  });

  it('a refresh of a client session slides the SSO session’s idle end too, in the same statement', async () => {
    const { sso, session } = await ssoWithClientSession(600);
    const rotated = await sessions.rotateRefresh(session.id, 'jti-0', 'jti-1', 600, at(500));
    expect(rotated?.refresh_jti).toBe('jti-1');
    expect((await ssoSessions.find(sso.id))!.idle_expires_at).toEqual(at(1100));
    // Alive past the first idle end because it was used.
    expect((await sessions.findLive(session.id, at(700)))?.id).toBe(session.id);
  });

  it('a client session dies with its SSO session: ended, or idle, or past its maximum', async () => {
    const ended = await ssoWithClientSession();
    await ssoSessions.end(ended.sso.id, 'logout', at(10));
    expect(await sessions.findLive(ended.session.id, at(11))).toBeUndefined();
    expect(await sessions.rotateRefresh(ended.session.id, 'jti-0', 'jti-1', 1800, at(11))).toBeUndefined();

    const idle = await ssoWithClientSession(600);
    // The client session alone would still live (its own idle end moved on); its SSO session does not.
    await db.query('UPDATE sessions SET idle_expires_at = $2 WHERE id = $1', [idle.session.id, at(5000)]);
    expect(await sessions.findLive(idle.session.id, at(601))).toBeUndefined();
  });

  it('ends every client session in an SSO session at once', async () => {
    const { sso, session } = await ssoWithClientSession();
    expect(await sessions.endAllInSso(sso.id, 'logout', at(5))).toEqual([{ id: session.id, realm: 'r', client_id: 'app' }]);
    expect((await sessions.find(session.id))!.end_reason).toBe('logout');
    expect(await sessions.endAllInSso(sso.id, 'logout', at(6))).toEqual([]);
  });

  it('housekeeping removes an SSO session once it is over and its client sessions are gone, not before', async () => {
    const over = await ssoWithClientSession(600);
    const live = await ssoWithClientSession(600);
    await ssoSessions.end(over.sso.id, 'logout', at(10));
    await sessions.endAllInSso(over.sso.id, 'logout', at(10));
    await ssoSessions.touch(live.sso.id, 86_400, at(10));
    const purge = (cutoff: Date) => new ExpiredRowsRepository(db).purge(cutoff, cutoff, new Date(0));
    await purge(at(20));
    expect(await ssoSessions.find(over.sso.id)).toBeUndefined();
    expect(await sessions.find(over.session.id)).toBeUndefined();
    // One still in use stays, with its client session.
    expect(await ssoSessions.find(live.sso.id)).toBeDefined();
  });

  it('a renewed authentication keeps the id, takes the new cookie digest, never moves the maximum later', async () => {
    const { sso } = await ssoWithClientSession(600, 3600);
    const renewed = await ssoSessions.reauthenticate(
      sso.id,
      {
        secret_hash: 'renewed-digest',
        idp_alias: 'mock',
        idp_session_index: null,
        profile: { text: 'x' },
        auth_time: at(100),
        acr: 'acr',
        link: { kind: 'none' },
        national_id_enc: null,
        idleSeconds: 600,
        notOnOrAfter: at(1000),
      },
      at(100),
    );
    expect(renewed).toMatchObject({ id: sso.id, secret_hash: 'renewed-digest', auth_time: at(100), max_expires_at: at(1000) });
    expect(renewed!.idle_expires_at).toEqual(at(700));
    expect(await ssoSessions.findLiveBySecret('r', sso.secret_hash, at(101))).toBeUndefined();
  });

  it('a renewed authentication that ends sooner caps the client sessions in it, delegated ones too, and their refreshes', async () => {
    const { sso, session } = await ssoWithClientSession(1800, 36000);
    const delegated = clientSessionRow(`${sso.id}.delegated`, sso.user_id, T0, { parent_id: session.id, sso_session_id: sso.id });
    await sessions.create(delegated);
    const renewal = {
      secret_hash: `renewed-${sso.id}`,
      idp_alias: 'mock',
      idp_session_index: null,
      profile: {},
      auth_time: at(100),
      acr: null,
      link: { kind: 'none' as const },
      national_id_enc: null,
      idleSeconds: 1800,
      notOnOrAfter: at(1000),
    };
    const renewed = await ssoSessions.reauthenticate(sso.id, renewal, at(100));
    expect(renewed!.max_expires_at).toEqual(at(1000));
    await sessions.capToSso(sso.id, renewed!.max_expires_at);
    for (const id of [session.id, delegated.id]) expect(sessionEndsAt((await sessions.find(id))!)).toBe(at(1000).getTime() / 1000);
    // The rotated row is what its tokens' `exp` and `refresh_expires_in` state (sessionEndsAt).
    const rotated = await sessions.rotateRefresh(session.id, 'jti-0', 'jti-1', 1800, at(500));
    expect(rotated?.refresh_jti).toBe('jti-1');
    expect(sessionEndsAt(rotated!)).toBe(at(1000).getTime() / 1000);
  });
});
