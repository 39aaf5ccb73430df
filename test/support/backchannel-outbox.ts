import type { Queryable } from '../../src/storage/database.js';

/** What the back-channel logout outbox (migration 013) says of one session's notification. */
export interface OutboxRow {
  attempts: number;
  delivered_at: Date | null;
  failed_at: Date | null;
  leased_until: Date | null;
}

/** The notification of session `sid`, if one was queued. */
export async function outboxRow(db: Queryable, sid: string): Promise<OutboxRow | undefined> {
  const { rows } = await db.query<OutboxRow>(
    'SELECT attempts, delivered_at, failed_at, leased_until FROM backchannel_logouts WHERE session_id = $1',
    [sid],
  );
  return rows[0];
}

/** The row once the attempt under way on `sid` has been recorded (its lease given back), whatever its outcome. */
export async function attemptRecorded(db: Queryable, sid: string): Promise<OutboxRow> {
  for (;;) {
    const current = await outboxRow(db, sid);
    if (current && current.attempts > 0 && current.leased_until === null) return current;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
