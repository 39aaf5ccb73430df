import type { Database, Queryable } from '../../src/storage/database.js';

/**
 * Helpers for races on PostgreSQL, whose transactions run concurrently (PGlite runs one statement at a
 * time): a spec lines its transactions up on row locks, then lets them go.
 */

/** How long a race may take to line up before its spec fails with a reason instead of jest's timeout. */
const LINE_UP_MS = 10_000;

/** Resolves once `count` of this database's backends wait for a lock. */
export async function waitingForLocks(db: Database, count: number): Promise<void> {
  const deadline = Date.now() + LINE_UP_MS;
  for (;;) {
    if (Date.now() > deadline) throw new Error(`fewer than ${count} backends waited for a lock within ${LINE_UP_MS} ms`);
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if (rows[0]!.n >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Runs `first` in a transaction and holds it open until `release` is called; `release(last)` runs
 * `last` in that transaction before it commits. `done` is the transaction's outcome.
 */
export async function holding(db: Database, first: (tx: Queryable) => Promise<unknown>) {
  let held!: () => void;
  let release!: () => void;
  const started = new Promise<void>((resolve) => (held = resolve));
  let then: (tx: Queryable) => Promise<unknown> = async () => undefined;
  const done = db.transaction(async (tx) => {
    await first(tx);
    held();
    await new Promise<void>((resolve) => (release = resolve));
    await then(tx);
  });
  // A `first` that fails fails the caller, instead of leaving it waiting for a hold that never comes.
  await Promise.race([started, done]);
  return {
    done,
    release: (last?: (tx: Queryable) => Promise<unknown>) => {
      if (last) then = last;
      release();
      return done;
    },
  };
}
