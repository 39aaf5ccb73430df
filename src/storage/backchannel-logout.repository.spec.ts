import { engines } from '../../test/support/database-engines.js';
import { migratedScratch } from '../../test/support/migrated-scratch.js';
import { at, clientSessionRow, insertUser, ssoSessionRow, T0 } from '../../test/support/session-rows.js';
import { BackchannelLogoutRepository, subscriberKey } from './backchannel-logout.repository.js';
import type { Database } from './database.js';
import { SessionRepository } from './session.repository.js';
import { SsoSessionNameIdRepository } from './sso-session-name-id.repository.js';
import { SsoSessionRepository } from './sso-session.repository.js';

const SUBSCRIBERS = [subscriberKey('r', 'app')];

/**
 * The back-channel logout outbox (migration 013): written by the database when a session ends, in
 * the same statement, whatever ended it; claimed with leases, so that of several instances exactly
 * one attempts a notification at a time. And the NameIDs that name SSO sessions for single logout.
 */
describe.each(engines)('back-channel logout outbox and SSO session NameIDs on $name', (engine) => {
  const storage = migratedScratch(engine);
  let db: Database;
  let outbox: BackchannelLogoutRepository;
  let sessions: SessionRepository;
  let n = 0;

  beforeAll(() => {
    db = storage.db;
    outbox = new BackchannelLogoutRepository(db);
    sessions = new SessionRepository(db);
  });

  /** An SSO session with one client session of `clientId`. */
  async function session(clientId = 'app', sessionIndex: string | null = null) {
    const id = `sso-${++n}`;
    const userId = `user-${n}`;
    await insertUser(db, userId, T0, 'idp');
    const login = { idp_alias: 'idp', idp_session_index: sessionIndex };
    await new SsoSessionRepository(db).create(ssoSessionRow(id, userId, T0, { ...login, secret_hash: `digest-${n}` }));
    const client = clientSessionRow(`${id}.c`, userId, T0, { ...login, client_id: clientId, sso_session_id: id });
    await sessions.create(client);
    return { ssoId: id, sessionId: client.id, userId };
  }

  const rowOf = async (sessionId: string) =>
    (await db.query<Record<string, unknown>>('SELECT * FROM backchannel_logouts WHERE session_id = $1', [sessionId])).rows[0];

  it('a session that ends gets its notification in the same statement, dated by the end; expiry writes none', async () => {
    const ended = await session();
    const expired = await session();
    expect(await sessions.end(ended.sessionId, 'logout', at(60))).toBe(true);
    expect(await rowOf(ended.sessionId)).toMatchObject({
      realm: 'r',
      client_id: 'app',
      subject: ended.userId,
      ended_at: at(60),
      next_attempt_at: at(60),
      attempts: 0,
      delivered_at: null,
    });
    // Ending it again changes nothing, and a session that only runs out is no event.
    expect(await sessions.end(ended.sessionId, 'logout', at(61))).toBe(false);
    expect((await db.query('SELECT 1 FROM backchannel_logouts WHERE session_id = $1', [ended.sessionId])).rows).toHaveLength(1);
    expect(await sessions.findLive(expired.sessionId, at(40000))).toBeUndefined();
    expect(await rowOf(expired.sessionId)).toBeUndefined();
  });

  it('every session an SSO session’s end ends is notified (endAllInSso writes each)', async () => {
    const { ssoId, sessionId } = await session();
    await sessions.endAllInSso(ssoId, 'logout', at(1));
    expect(await rowOf(sessionId)).toBeDefined();
  });

  it('claims each due notification once, however many claim at once; a lease keeps it until it runs out', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const { sessionId } = await session();
      await sessions.end(sessionId, 'logout', at(0));
      ids.push(sessionId);
    }
    const claims = await Promise.all(Array.from({ length: 4 }, () => outbox.claimDue(at(1), at(100), SUBSCRIBERS, 6)));
    const claimed = claims.flat().map((row) => row.session_id);
    expect(claimed.filter((id) => ids.includes(id)).sort()).toEqual([...ids].sort());
    expect(new Set(claimed).size).toBe(claimed.length);
    // Leased: nobody else takes them until the lease is over; then the next attempt is counted.
    expect((await outbox.claimDue(at(99), at(200), SUBSCRIBERS, 100)).filter((row) => ids.includes(row.session_id))).toEqual([]);
    const retaken = (await outbox.claimDue(at(100), at(200), SUBSCRIBERS, 100)).filter((row) => ids.includes(row.session_id));
    expect(retaken.map((row) => row.attempts)).toEqual([2, 2, 2, 2, 2, 2]);
  });

  it('delivered, given up, not yet due, or of a client without an endpoint: not claimed', async () => {
    const [delivered, failed, later, unsubscribed] = [await session(), await session(), await session(), await session('silent-app')];
    for (const s of [delivered, failed, later, unsubscribed]) await sessions.end(s.sessionId, 'logout', at(0));
    await outbox.delivered(delivered.sessionId, at(1));
    await outbox.failed(failed.sessionId, at(1));
    await outbox.retryAt(later.sessionId, at(500));
    const claimed = (await outbox.claimDue(at(2), at(100), SUBSCRIBERS, 100)).map((row) => row.session_id);
    for (const s of [delivered, failed, later, unsubscribed]) expect(claimed).not.toContain(s.sessionId);
    expect((await outbox.claimDue(at(500), at(600), SUBSCRIBERS, 100)).map((row) => row.session_id)).toContain(later.sessionId);
  });

  it('claims the notifications of named sessions now, due or not', async () => {
    const s = await session();
    await sessions.end(s.sessionId, 'logout', at(0));
    await outbox.retryAt(s.sessionId, at(500));
    expect((await outbox.claimSessions([s.sessionId], at(1), at(100), SUBSCRIBERS)).map((row) => row.session_id)).toEqual([s.sessionId]);
    expect(await outbox.claimSessions([s.sessionId], at(2), at(100), SUBSCRIBERS)).toEqual([]);
  });

  it('counts the notifications owed to subscribers and not yet delivered or given up, and when the oldest session ended', async () => {
    const counted = [subscriberKey('r', 'counted-app')];
    expect(await outbox.backlog(counted)).toEqual({ entries: 0, oldest: null });
    const [givenUp, retried, waiting, delivered, unsubscribed] = [
      await session('counted-app'),
      await session('counted-app'),
      await session('counted-app'),
      await session('counted-app'),
      await session('silent-app'),
    ];
    for (const [s, end] of [
      [givenUp, 5],
      [retried, 10],
      [waiting, 20],
      [delivered, 1],
      [unsubscribed, 0],
    ] as const) {
      await sessions.end(s.sessionId, 'logout', at(end));
    }
    await outbox.failed(givenUp.sessionId, at(30));
    await outbox.retryAt(retried.sessionId, at(500));
    await outbox.delivered(delivered.sessionId, at(30));
    expect(await outbox.backlog(counted)).toEqual({ entries: 2, oldest: at(10) });
    expect(await outbox.backlog([])).toEqual({ entries: 0, oldest: null });
  });

  it('finds the live SSO sessions a NameID digest names, by SessionIndex when given; keeps one row per SSO session and NameID', async () => {
    const nameIds = new SsoSessionNameIdRepository(db);
    const first = await session('app', '_a');
    const second = await session('app', '_b');
    for (const s of [first, second]) {
      await nameIds.record({ ssoSessionId: s.ssoId, realm: 'r', idpAlias: 'idp', nameIdDigest: 'digest-of-p', nameIdEnc: 'sealed' });
    }
    await nameIds.record({
      ssoSessionId: second.ssoId,
      realm: 'r',
      idpAlias: 'idp',
      nameIdDigest: 'digest-of-p',
      nameIdEnc: 'sealed-anew',
    });
    expect((await nameIds.liveSsoSessions('r', 'idp', 'digest-of-p', [], at(1))).sort()).toEqual([first.ssoId, second.ssoId].sort());
    expect(await nameIds.liveSsoSessions('r', 'idp', 'digest-of-p', ['_b'], at(1))).toEqual([second.ssoId]);
    expect(await nameIds.liveSsoSessions('r', 'other-idp', 'digest-of-p', [], at(1))).toEqual([]);
    expect(await nameIds.liveSsoSessions('other-realm', 'idp', 'digest-of-p', [], at(1))).toEqual([]);
    expect(await nameIds.liveSsoSessions('r', 'idp', 'digest-of-p', [], at(40000))).toEqual([]);
    expect(await nameIds.sealedNameId(second.ssoId)).toBe('sealed-anew');
  });
});
