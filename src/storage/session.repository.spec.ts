import { engines } from '../../test/support/database-engines.js';
import { migratedScratch } from '../../test/support/migrated-scratch.js';
import { at, clientSessionRow, copySession, insertUser, refreshEvent, ssoSessionRow, T0 } from '../../test/support/session-rows.js';
import { countStatements } from '../../test/support/statement-counter.js';
import { planOf } from '../../test/support/statement-plans.js';
import type { Database } from './database.js';
import { ExpiredRowsRepository } from './expired-rows.repository.js';
import { SessionRepository, type NewSession } from './session.repository.js';
import { FIND_LIVE, FIND_LIVE_UNLESS_REVOKED } from './session.statements.js';
import { SsoSessionRepository } from './sso-session.repository.js';

/** A refresh's rotation and its audit events: one statement, so both or neither (issues 13 and 14). */
describe.each(engines)('session rotation on $name', (engine) => {
  const storage = migratedScratch(engine);
  let db: Database;
  let sessions: SessionRepository;
  let n = 0;

  beforeAll(() => {
    db = storage.db;
    sessions = new SessionRepository(db);
  });

  async function session(idleSeconds = 1800): Promise<NewSession> {
    const id = `session-${++n}`;
    await insertUser(db, `user-${n}`, T0);
    const row = clientSessionRow(id, `user-${n}`, T0, { tenant: `agb-${n}`, idle_expires_at: at(idleSeconds) });
    await sessions.create(row);
    await sessions.setRefreshJti(id, 'jti-0');
    return row;
  }

  async function eventsOf(sessionId: string) {
    const { rows } = await db.query<Record<string, unknown>>('SELECT * FROM audit_events WHERE session_id = $1 ORDER BY id', [sessionId]);
    return rows;
  }

  it('writes the events with the session’s user, IdP and tenant when the rotation happens', async () => {
    const s = await session();
    const rotated = await sessions.rotateRefresh(s.id, 'jti-0', 'jti-1', 600, at(10), undefined, [
      refreshEvent(at(10)),
      { ...refreshEvent(at(10)), type: 'CONTEXT_SELECTED', details: { organization: 'Organization/1' } },
    ]);
    expect(rotated?.refresh_jti).toBe('jti-1');
    const events = await eventsOf(s.id);
    expect(events).toEqual([
      expect.objectContaining({
        type: 'REFRESH_TOKEN',
        outcome: 'success',
        realm: 'r',
        client_id: 'app',
        user_id: s.user_id,
        idp_alias: 'mock',
        tenant: s.tenant,
        ip_address: '192.0.2.7',
        error: null,
        details: { scope: 'openid' },
        occurred_at: at(10),
      }),
      expect.objectContaining({ type: 'CONTEXT_SELECTED', user_id: s.user_id, details: { organization: 'Organization/1' } }),
    ]);
  });

  it('writes nothing when the token is not the current one, or the session is over', async () => {
    const s = await session(600);
    expect(await sessions.rotateRefresh(s.id, 'jti-stale', 'jti-1', 600, at(10), undefined, [refreshEvent(at(10))])).toBeUndefined();
    expect(await sessions.rotateRefresh(s.id, 'jti-0', 'jti-1', 600, at(601), undefined, [refreshEvent(at(601))])).toBeUndefined();
    expect(await eventsOf(s.id)).toEqual([]);
    expect((await sessions.find(s.id))!.refresh_jti).toBe('jti-0');
  });

  it('of concurrent rotations with one token, exactly one wins and writes its event', async () => {
    const s = await session();
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        sessions.rotateRefresh(s.id, 'jti-0', `jti-next-${i}`, 600, at(10), undefined, [refreshEvent(at(10))]),
      ),
    );
    const winners = results.filter((row) => row !== undefined);
    expect(winners).toHaveLength(1);
    expect((await sessions.find(s.id))!.refresh_jti).toBe(winners[0]!.refresh_jti);
    expect(await eventsOf(s.id)).toHaveLength(1);
  });

  it('ends a live session once on reuse, and leaves a session that is over as it is', async () => {
    const live = await session();
    // On PostgreSQL the two race over separate connections: either may win, but only one, and the
    // reason stored is the winner's.
    const reasons = ['refresh token reused', 'again'];
    const ends = await Promise.all(reasons.map((reason) => sessions.endIfLive(live.id, reason, at(10))));
    expect(ends.filter(Boolean)).toHaveLength(1);
    expect((await sessions.find(live.id))!.end_reason).toBe(reasons[ends.indexOf(true)]);

    const idle = await session(600);
    expect(await sessions.endIfLive(idle.id, 'refresh token reused', at(601))).toBe(false);
    expect((await sessions.find(idle.id))!.ended_at).toBeNull();
  });

  it('finds the live session of an access token unless that token was revoked', async () => {
    const s = await session(600);
    await db.query(`INSERT INTO revoked_access_tokens (jti, realm, expires_at) VALUES ('revoked-jti', 'r', $1)`, [at(900)]);
    expect((await sessions.findLiveUnlessRevoked(s.id, 'live-jti', at(10)))?.id).toBe(s.id);
    expect(await sessions.findLiveUnlessRevoked(s.id, 'revoked-jti', at(10))).toBeUndefined();
    expect(await sessions.findLiveUnlessRevoked(s.id, 'live-jti', at(601))).toBeUndefined();
  });

  it('answers lookups made together with one statement, each with its own session, time and token', async () => {
    const live = await session(600);
    const other = await session(600);
    const ended = await session(600);
    await sessions.endIfLive(ended.id, 'logout', at(5));
    await db.query(`INSERT INTO revoked_access_tokens (jti, realm, expires_at) VALUES ('gone-jti', 'r', $1)`, [at(900)]);
    const statements = countStatements(db);
    const found = await Promise.all([
      sessions.findLiveUnlessRevoked(live.id, 'a-jti', at(10)),
      sessions.findLiveUnlessRevoked(live.id, 'gone-jti', at(10)),
      sessions.findLiveUnlessRevoked(other.id, 'b-jti', at(10)),
      sessions.findLiveUnlessRevoked(live.id, 'c-jti', at(601)),
      sessions.findLiveUnlessRevoked(ended.id, 'd-jti', at(10)),
      sessions.findLiveUnlessRevoked('no-such-session', 'e-jti', at(10)),
      sessions.findLiveUnlessRevoked(other.id, 'f-jti', at(20)),
    ]);
    expect(found.map((row) => row?.id)).toEqual([live.id, undefined, other.id, undefined, undefined, undefined, other.id]);
    // A row carries the session's columns only, not the statement's lookup number.
    expect(Object.keys(found[0]!)).not.toContain('lookup');
    expect(statements.count).toBe(1);
    statements.restore();
    expect(found[0]).toEqual(await sessions.findLive(live.id, at(10)));

    const plain = await Promise.all([
      sessions.findLive(live.id, at(10)),
      sessions.findLive(live.id, at(601)),
      sessions.findLive(ended.id, at(10)),
    ]);
    expect(plain.map((row) => row?.id)).toEqual([live.id, undefined, undefined]);
  });

  /**
   * Each lookup statement is planned once (session.statements.ts, `lookupBatch`): after PostgreSQL's
   * five custom plans the generic one, a primary-key lookup per id, is kept, among 3,000 sessions as
   * among a few. Without the batch's LIMIT it planned every call anew once the table had grown, a
   * lookup of one session costing its backend three to five times the CPU.
   */
  it.each([
    {
      statement: FIND_LIVE,
      types: 'text[], timestamptz[]',
      args: (id: string) => `ARRAY['${id}'], ARRAY['${at(10).toISOString()}']::timestamptz[]`,
    },
    {
      statement: FIND_LIVE_UNLESS_REVOKED,
      types: 'text[], timestamptz[], text[]',
      args: (id: string) => `ARRAY['${id}'], ARRAY['${at(10).toISOString()}']::timestamptz[], ARRAY['a-jti']`,
    },
  ])('$statement.name keeps one plan, a primary-key lookup per id, for lookups of one session', async ({ statement, types, args }) => {
    const { id } = await session(600);
    // Among a few sessions any plan is cheap; among thousands a generic plan for 10 rows is not.
    if (Number((await db.query<{ n: number | string }>('SELECT count(*) AS n FROM sessions')).rows[0]!.n) < 3000) {
      await copySession(db, id, 3000, 'copy-');
    }
    const { genericPlans, plan } = await planOf(db, { statement, types, args: args(id) }, { executions: 8 });
    expect(genericPlans).toBeGreaterThan(0);
    expect(plan).toContain('Index Scan using sessions_pkey on sessions');
  });

  it('fails every lookup of a statement the database refuses, and answers the next ones', async () => {
    const live = await session(600);
    const query = db.query.bind(db);
    db.query = (() => Promise.reject(new Error('connection lost'))) as Database['query'];
    const failed = await Promise.allSettled([sessions.findLive(live.id, at(10)), sessions.findLiveUnlessRevoked(live.id, 'jti', at(10))]);
    db.query = query;
    expect(failed.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect((await sessions.findLive(live.id, at(10)))?.id).toBe(live.id);
  });
});

/**
 * Which sessions an SSO session's end and a delegating session's end end: exactly the rows returned
 * get a LOGOUT and queue a back-channel logout (migration 013), and "Expiry is not an event".
 */
describe.each(engines)('ending sessions on $name', (engine) => {
  const storage = migratedScratch(engine);
  let db: Database;
  let sessions: SessionRepository;
  let n = 0;

  beforeAll(() => {
    db = storage.db;
    sessions = new SessionRepository(db);
  });

  async function user(): Promise<string> {
    const userId = `ending-user-${++n}`;
    await insertUser(db, userId, T0);
    return userId;
  }

  async function sessionOf(userId: string, id: string, overrides: Partial<NewSession> = {}): Promise<string> {
    await sessions.create(clientSessionRow(id, userId, T0, overrides));
    return id;
  }

  const queued = async (id: string) => (await db.query('SELECT 1 FROM backchannel_logouts WHERE session_id = $1', [id])).rows.length;

  it('an SSO session’s end returns exactly the client sessions it ended: not one ended before, not one that ran out', async () => {
    const userId = await user();
    const sso = `sso-${n}`;
    await new SsoSessionRepository(db).create(ssoSessionRow(sso, userId, T0));
    const live = await sessionOf(userId, `${sso}.live`, { sso_session_id: sso });
    const revoked = await sessionOf(userId, `${sso}.revoked`, { sso_session_id: sso });
    const idle = await sessionOf(userId, `${sso}.idle`, { sso_session_id: sso, idle_expires_at: at(600) });
    expect(await sessions.end(revoked, 'refresh token revoked', at(5))).toBe(true);

    expect(await sessions.endAllInSso(sso, 'logout', at(700))).toEqual([{ id: live, realm: 'r', client_id: 'app' }]);
    expect((await sessions.find(revoked))!.end_reason).toBe('refresh token revoked');
    // Run out, not ended: no LOGOUT, no logout token for its client.
    expect((await sessions.find(idle))!.ended_at).toBeNull();
    expect(await queued(idle)).toBe(0);
  });

  it('a session’s end ends what was delegated from it that is within its ends, and nothing past an expired one', async () => {
    const userId = await user();
    const parent = await sessionOf(userId, `parent-${n}`);
    const child = await sessionOf(userId, `child-${n}`, { parent_id: parent });
    const grandchild = await sessionOf(userId, `grandchild-${n}`, { parent_id: child });
    const idle = await sessionOf(userId, `idle-${n}`, { parent_id: parent, idle_expires_at: at(600) });
    const capped = await sessionOf(userId, `capped-${n}`, { parent_id: parent, max_expires_at: at(650) });
    // Delegated from one that ran out: it stopped being live then (LIVE checks the parent), by expiry.
    const underIdle = await sessionOf(userId, `under-idle-${n}`, { parent_id: idle });

    expect((await sessions.endDelegatedFrom(parent, 'the session it was delegated from ended', at(700))).sort()).toEqual(
      [child, grandchild].sort(),
    );
    for (const id of [idle, capped, underIdle]) {
      expect((await sessions.find(id))!.ended_at).toBeNull();
      expect(await queued(id)).toBe(0);
    }
  });

  it('housekeeping deletes a delegated session before the one it was delegated from, never both by cascade', async () => {
    const userId = await user();
    const parent = await sessionOf(userId, `parent-${n}`, { idle_expires_at: at(600) });
    const child = await sessionOf(userId, `delegated-${n}`, { parent_id: parent, idle_expires_at: at(1200) });
    const purge = (cutoff: Date) => new ExpiredRowsRepository(db).purge(cutoff, cutoff, new Date(0));

    // The parent ran out, the delegated session by its own ends not yet: both stay.
    await purge(at(900));
    expect([await sessions.find(parent), await sessions.find(child)].map((row) => row?.id)).toEqual([parent, child]);
    // Once it has run out as well, the delegated session goes first, and its parent at the next run.
    await purge(at(1300));
    expect([await sessions.find(parent), await sessions.find(child)].map((row) => row?.id)).toEqual([parent, undefined]);
    await purge(at(1300));
    expect(await sessions.find(parent)).toBeUndefined();
  });
});
