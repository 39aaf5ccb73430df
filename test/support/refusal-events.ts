import type { Database } from '../../src/storage/database.js';

/** A refused request's audit event as stored (audit_events), or the summary of those not recorded one by one. */
export interface RefusalEvent {
  type: string;
  error: string | null;
  client_id: string | null;
  ip_address: string | null;
  details: Record<string, unknown>;
}

/** The failed events of realm `nemlogin`, oldest first: of `type` and `error` where given. */
export async function refusalEvents(db: Database, of: { type?: string; error?: string }): Promise<RefusalEvent[]> {
  const { rows } = await db.query<RefusalEvent>(
    `SELECT type, error, client_id, ip_address, details FROM audit_events
      WHERE realm = 'nemlogin' AND outcome = 'failure' AND ($1::text IS NULL OR type = $1) AND ($2::text IS NULL OR error = $2)
      ORDER BY id`,
    [of.type ?? null, of.error ?? null],
  );
  return rows;
}

/**
 * Those events once there are at least `count` (or what there is after 5 s): a summary is written
 * beside the refusal that closes its window, not before that refusal's answer.
 */
export async function eventuallyRefusalEvents(db: Database, of: { type?: string; error?: string }, count: number): Promise<RefusalEvent[]> {
  for (let tries = 0; tries < 100; tries++) {
    const found = await refusalEvents(db, of);
    if (found.length >= count) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return refusalEvents(db, of);
}
