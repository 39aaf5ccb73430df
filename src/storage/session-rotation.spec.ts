import { engines } from '../../test/support/database-engines.js';
import { migratedScratch } from '../../test/support/migrated-scratch.js';
import { at, clientSessionRow, copySession, insertUser, refreshEvent, ssoSessionRow, T0 } from '../../test/support/session-rows.js';
import { nextTurn } from '../../test/support/event-loop.js';
import { holding, waitingForLocks } from '../../test/support/lock-races.js';
import { countStatements } from '../../test/support/statement-counter.js';
import { planOf } from '../../test/support/statement-plans.js';
import { DatabaseUnavailableError, type Database } from './database.js';
import { PostgresDatabase } from './pg.database.js';
import { ExpiredRowsRepository } from './expired-rows.repository.js';
import { SessionRepository } from './session.repository.js';
import { ROTATE_REFRESH } from './session.statements.js';
import { SsoSessionRepository } from './sso-session.repository.js';

/** Refresh token rotations asked for together share one statement (ROTATE_REFRESH, group-commit.ts, issue 14). */
describe.each(engines)('grouped rotations on $name', (engine) => {
  const storage = migratedScratch(engine);
  let db: Database;
  let sessions: SessionRepository;
  let n = 0;

  beforeAll(() => {
    db = storage.db;
    sessions = new SessionRepository(db);
  });

  /** A session with refresh token `jti-0`, in SSO session `sso` when given. */
  async function session(options: { idleSeconds?: number; sso?: string; id?: string } = {}): Promise<string> {
    const id = options.id ?? `rotation-${++n}`;
    await insertUser(db, `user-${id}`, T0);
    if (options.sso) await new SsoSessionRepository(db).create(ssoSessionRow(options.sso, `user-${id}`, T0));
    await sessions.create(
      clientSessionRow(id, `user-${id}`, T0, { idle_expires_at: at(options.idleSeconds ?? 1800), sso_session_id: options.sso ?? null }),
    );
    await sessions.setRefreshJti(id, 'jti-0');
    return id;
  }

  const eventCount = async (id: string) => (await db.query('SELECT 1 FROM audit_events WHERE session_id = $1', [id])).rows.length;
  const jtiOf = async (id: string) => (await sessions.find(id))!.refresh_jti;

  it('answers rotations made together with one statement, each by its own session, token, time and idle end', async () => {
    const sso = `sso-${++n}`;
    const inSso = await session({ sso });
    const plain = await session();
    const stale = await session();
    const runOut = await session({ idleSeconds: 600 });
    const ended = await session();
    await sessions.endIfLive(ended, 'logout', at(5));
    const twice = await session();

    const statements = countStatements(db);
    const rotated = await Promise.all([
      sessions.rotateRefresh(inSso, 'jti-0', 'next-sso', 900, at(100), undefined, [refreshEvent(at(100))]),
      sessions.rotateRefresh(plain, 'jti-0', 'next-plain', 300, at(20), { organization_id: 'org-7' }, [refreshEvent(at(20))]),
      sessions.rotateRefresh(stale, 'jti-older', 'next-stale', 300, at(20), undefined, [refreshEvent(at(20))]),
      sessions.rotateRefresh(runOut, 'jti-0', 'next-run-out', 300, at(601), undefined, [refreshEvent(at(601))]),
      sessions.rotateRefresh(ended, 'jti-0', 'next-ended', 300, at(20), undefined, [refreshEvent(at(20))]),
      sessions.rotateRefresh('no-such-session', 'jti-0', 'next-none', 300, at(20), undefined, [refreshEvent(at(20))]),
      sessions.rotateRefresh(twice, 'jti-0', 'next-twice-a', 300, at(20), undefined, [refreshEvent(at(20))]),
      sessions.rotateRefresh(twice, 'jti-0', 'next-twice-b', 300, at(20), undefined, [refreshEvent(at(20))]),
    ]);
    expect(statements.count).toBe(1);
    statements.restore();

    expect(rotated.slice(0, 6).map((row) => row?.refresh_jti)).toEqual([
      'next-sso',
      'next-plain',
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    // A row carries the session's columns only, not the statement's lookup number.
    expect(Object.keys(rotated[0]!)).not.toContain('lookup');
    expect(rotated[0]).toEqual(await sessions.find(inSso));
    expect(rotated[0]!.idle_expires_at).toEqual(at(1000));
    expect(rotated[1]).toMatchObject({ idle_expires_at: at(320), context: { organization_id: 'org-7' } });
    expect((await new SsoSessionRepository(db).find(sso))!.idle_expires_at).toEqual(at(1000));

    // Two rotations with one token: one wins, one event; the loser finds the token spent.
    const winners = rotated.slice(6).filter((row) => row !== undefined);
    expect(winners).toHaveLength(1);
    expect(await jtiOf(twice)).toBe(winners[0]!.refresh_jti);
    expect(await eventCount(twice)).toBe(1);

    // The refused ones changed nothing and wrote nothing.
    for (const id of [stale, runOut, ended]) {
      expect(await jtiOf(id)).toBe('jti-0');
      expect(await eventCount(id)).toBe(0);
    }
    expect([await eventCount(inSso), await eventCount(plain)]).toEqual([1, 1]);
  });

  it('fails every rotation of a statement the database refuses, changing nothing, and answers the next ones', async () => {
    const first = await session();
    const second = await session();
    const query = db.query.bind(db);
    db.query = (() => Promise.reject(new Error('connection lost'))) as Database['query'];
    const failed = await Promise.allSettled([
      sessions.rotateRefresh(first, 'jti-0', 'next-1', 300, at(20), undefined, [refreshEvent(at(20))]),
      sessions.rotateRefresh(second, 'jti-0', 'next-2', 300, at(20), undefined, [refreshEvent(at(20))]),
    ]);
    db.query = query;
    expect(failed.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect([await jtiOf(first), await jtiOf(second)]).toEqual(['jti-0', 'jti-0']);
    expect((await sessions.rotateRefresh(first, 'jti-0', 'next-1', 300, at(20)))?.refresh_jti).toBe('next-1');
  });

  it('keeps one rotation statement in flight: rotations asked for while it waits go together in the next', async () => {
    const [held, later, latest] = await Promise.all([session(), session(), session()]);
    // Holds the first rotation's session (on PGlite, whose one connection the transaction holds, every statement waits).
    const holder = await holding(db, (tx) => tx.query('SELECT 1 FROM sessions WHERE id = $1 FOR UPDATE', [held]));
    const rotate = (id: string) => sessions.rotateRefresh(id, 'jti-0', `next-${id}`, 300, at(20), undefined, [refreshEvent(at(20))]);

    const first = rotate(held);
    if (engine.name === 'postgres') await waitingForLocks(db, 1);
    else await nextTurn();
    const statements = countStatements(db);
    const second = rotate(later);
    await nextTurn();
    const third = rotate(latest);
    await nextTurn();
    // Nothing more is sent while the first statement waits ...
    expect(statements.count).toBe(0);

    await holder.release();
    const rotated = await Promise.all([first, second, third]);
    // ... and then the two rotations asked for in different turns go in one.
    expect(statements.count).toBe(1);
    statements.restore();
    expect(rotated.map((row) => row?.refresh_jti)).toEqual([`next-${held}`, `next-${later}`, `next-${latest}`]);
  });

  /**
   * The planner's view of a batch (ROTATE_REFRESH's LIMIT): among a few thousand sessions, estimated
   * at `jsonb_to_recordset`'s 100 rows, the batch was locked and updated by hashing a sequential scan
   * of every session, at several times the cost of the rotations themselves.
   */
  it('plans a batch of rotations as primary-key lookups among thousands of sessions, in custom and generic plans alike', async () => {
    const template = await session({ sso: `sso-${++n}` });
    await copySession(db, template, 3000, 'many-');
    await db.query('ANALYZE sso_sessions');
    const batch = Array.from({ length: 12 }, (_, i) => ({
      id: `many-${i + 1}`,
      now: at(20),
      presented: 'jti-0',
      next: `next-${i}`,
      idle: 300,
      context: null,
      events: [refreshEvent(at(20))],
    }));

    for (const mode of ['force_custom_plan', 'force_generic_plan'] as const) {
      const args = `'${JSON.stringify(batch).replaceAll("'", "''")}'`;
      const { plan } = await planOf(db, { statement: ROTATE_REFRESH, types: 'jsonb', args }, { mode });
      expect({ mode, scans: plan.match(/Seq Scan on sessions.*/g) ?? [] }).toEqual({ mode, scans: [] });
      expect(plan).toContain('Index Scan using sessions_pkey on sessions');
    }
  });

  /**
   * Races on PostgreSQL, whose transactions run concurrently (PGlite runs one statement at a time).
   * Were rows locked in another order, each race below would leave two transactions each holding a
   * row the other waits for, and PostgreSQL would abort one as a deadlock (40P01) after
   * `deadlock_timeout`.
   */
  if (engine.name === 'postgres') {
    it('locks the sessions of a statement in id order: two instances naming them in opposite orders never deadlock', async () => {
      const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((letter) => session({ id: `lock-${letter}-${++n}` })));
      const holder = await holding(db, (tx) => tx.query('SELECT 1 FROM sessions WHERE id = $1 FOR UPDATE', [c]));
      // One instance has one rotation statement in flight; a second instance on the same database has its own.
      const otherInstance = new SessionRepository(db);
      const rotate = (repository: SessionRepository, id: string, batch: string) =>
        repository.rotateRefresh(id, 'jti-0', `next-${batch}`, 300, at(20));

      const first = Promise.all([rotate(sessions, a, 'first'), rotate(sessions, c, 'first'), rotate(sessions, b, 'first')]);
      await waitingForLocks(db, 1);
      const second = Promise.all([
        rotate(otherInstance, b, 'second'),
        rotate(otherInstance, c, 'second'),
        rotate(otherInstance, a, 'second'),
      ]);
      await waitingForLocks(db, 2);
      await holder.release();

      const settled = await Promise.allSettled([first, second]);
      expect(settled.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled']);
      // Each token was spent once: the first statement, which waited first, rotated all three.
      expect(await Promise.all([a, b, c].map(jtiOf))).toEqual(['next-first', 'next-first', 'next-first']);
    });

    it('cancels a rotation statement held past the statement timeout, changing nothing, and the rotations behind it go on', async () => {
      const [held, behind] = await Promise.all([session(), session()]);
      const timed = new PostgresDatabase(storage.scratch.url!, { statementTimeoutSeconds: 1 });
      const holder = await holding(db, (tx) => tx.query('SELECT 1 FROM sessions WHERE id = $1 FOR UPDATE', [held]));
      try {
        const repository = new SessionRepository(timed);
        const rotate = (id: string) => repository.rotateRefresh(id, 'jti-0', `next-${id}`, 300, at(20), undefined, [refreshEvent(at(20))]);
        const first = rotate(held).then(
          () => 'rotated',
          (error: unknown) => error,
        );
        await waitingForLocks(db, 1);
        // Asked for while the first statement waits: it goes in the next, once the first is cancelled.
        const second = rotate(behind);
        expect(await first).toMatchObject({ code: '57014' });
        expect(await first).toBeInstanceOf(DatabaseUnavailableError);
        expect((await second)?.refresh_jti).toBe(`next-${behind}`);
      } finally {
        await holder.release();
        await timed.close();
      }
      expect(await jtiOf(held)).toBe('jti-0');
      expect(await eventCount(held)).toBe(0);
    });

    it('locks the SSO session before the session, as its end does: a rotation racing a logout never deadlocks', async () => {
      const sso = `sso-race-${++n}`;
      const id = await session({ sso });
      const ssoSessions = new SsoSessionRepository(db);
      // The SSO session's end, as SsoSessionService.endWithClientSessions runs it: the SSO session first ...
      const logout = await holding(db, (tx) => ssoSessions.end(sso, 'logout', at(15), tx));
      const rotation = sessions.rotateRefresh(id, 'jti-0', 'next-racing', 300, at(20), undefined, [refreshEvent(at(20))]);
      await waitingForLocks(db, 1);
      // ... then its client sessions, while the rotation waits.
      await logout.release((tx) => sessions.endAllInSso(sso, 'logout', at(15), tx));

      // The logout won; the rotation then found the session over, and changed and wrote nothing.
      await expect(rotation).resolves.toBeUndefined();
      expect(await sessions.find(id)).toMatchObject({ refresh_jti: 'jti-0', end_reason: 'logout' });
      expect(await eventCount(id)).toBe(0);
    });

    it("does not hold off a token exchange opening a session delegated from the rotating one: the new row's key checks pass", async () => {
      const sso = `sso-exchange-${++n}`;
      const portal = await session({ sso });
      // Holds the portal's session, so that the rotation has its SSO session and waits for the session.
      const blocker = await holding(db, (tx) => tx.query('SELECT 1 FROM sessions WHERE id = $1 FOR SHARE', [portal]));
      const rotation = sessions.rotateRefresh(portal, 'jti-0', 'next-exchange', 300, at(20), undefined, [refreshEvent(at(20))]);
      await waitingForLocks(db, 1);
      // A token exchange's new session: its foreign keys share-lock its parent, then its SSO session.
      const delegated = clientSessionRow(`delegated-${n}`, `user-${portal}`, T0, {
        sso_session_id: sso,
        parent_id: portal,
        client_id: 'gp',
      });
      const exchange = db.transaction((tx) => sessions.create(delegated, tx));
      // Locking rows to update them only (FOR NO KEY UPDATE, as an UPDATE of them does), the rotation
      // lets the key checks through; locking them FOR UPDATE, it made the exchange wait for the SSO
      // session while the exchange's share lock on the portal's session held the rotation: a deadlock.
      await Promise.race([exchange, waitingForLocks(db, 2)]);
      await blocker.release();

      const settled = await Promise.allSettled([rotation, exchange]);
      expect(settled.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled']);
      expect(await jtiOf(portal)).toBe('next-exchange');
      expect(await sessions.find(delegated.id)).toMatchObject({ parent_id: portal });
    });

    it('housekeeping leaves a session a rotation holds to its next run, and does not wait for it', async () => {
      const [held, free] = [await session({ idleSeconds: 600 }), await session({ idleSeconds: 600 })];
      // A late refresh of a session that ran out: the rotation statement holds it until it finds it over.
      const rotation = await holding(db, (tx) => tx.query('SELECT 1 FROM sessions WHERE id = $1 FOR NO KEY UPDATE', [held]));
      const purge = () => new ExpiredRowsRepository(db).purge(at(700), at(700), new Date(0));
      // Long enough for a slow machine's purge; a purge that waits for the held row never ends before the release.
      const waited = new Promise<'waited'>((resolve) => setTimeout(() => resolve('waited'), 15_000).unref());
      // Waiting for the held row, the purge would also hold the rows before it in the batch, which a rotation may wait for.
      const first = purge();
      const outcome = await Promise.race([first.then(() => 'purged'), waited]);
      await rotation.release();
      await first;
      expect(outcome).toBe('purged');
      expect(await sessions.find(free)).toBeUndefined();
      await purge();
      expect(await sessions.find(held)).toBeUndefined();
    });
  }
});
