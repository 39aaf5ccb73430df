import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type Database, type Queryable } from './database.js';

/** A FHIR AuditEvent waiting for delivery (migration 014). */
export interface OutboxEntry {
  /** bigserial, as a string (int8 on both engines). */
  id: string;
  realm: string;
  resource: Record<string, unknown>;
  created_at: Date;
  attempts: number;
  next_attempt_at: Date;
  leased_until: Date | null;
  lease_token: string | null;
  /** What the last attempt met: an error class and HTTP status, never a server's message. */
  last_error: string | null;
}

/**
 * The queue of FHIR AuditEvents. Entries are added in the caller's transaction (with the audit event
 * they report) and leave only when their FHIR server has taken them. Several instances share it: a
 * claim leases entries to one of them, so each entry has one deliverer at a time.
 */
@Injectable()
export class FhirAuditOutboxRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async enqueue(realm: string, resource: object, now: Date, db: Queryable = this.db): Promise<void> {
    await db.query('INSERT INTO fhir_audit_outbox (realm, resource, created_at, next_attempt_at) VALUES ($1, $2, $3, $3)', [
      realm,
      JSON.stringify(resource),
      now,
    ]);
  }

  /**
   * Leases up to `limit` entries of `realms` that are due and not leased (or whose lease ran out) to the
   * claim named `token` until `leaseUntil`, oldest first, and counts the attempt. One statement: FOR UPDATE
   * SKIP LOCKED lets claims running at the same time on PostgreSQL take different rows without waiting;
   * the lease keeps a row claimed after the statement commits (PGlite, one connection, needs only that).
   */
  async claim(now: Date, leaseUntil: Date, token: string, limit: number, realms: readonly string[]): Promise<OutboxEntry[]> {
    const { rows } = await this.db.query<OutboxEntry>(
      `UPDATE fhir_audit_outbox SET leased_until = $2, lease_token = $3, attempts = attempts + 1
        WHERE id IN (SELECT id FROM fhir_audit_outbox
                      WHERE next_attempt_at <= $1 AND (leased_until IS NULL OR leased_until <= $1) AND realm = ANY($5::text[])
                      ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED)
        RETURNING *`,
      [now, leaseUntil, token, limit, realms],
    );
    return rows.sort((a, b) => Number(a.id) - Number(b.id));
  }

  /** The FHIR server took it: the entry leaves the queue (if the claim still holds it). */
  async delivered(id: string, token: string): Promise<void> {
    await this.db.query('DELETE FROM fhir_audit_outbox WHERE id = $1 AND lease_token = $2', [id, token]);
  }

  /** The attempt failed: the entry is released, due again at `nextAttemptAt`. */
  async retryLater(id: string, token: string, nextAttemptAt: Date, error: string): Promise<void> {
    await this.db.query(
      `UPDATE fhir_audit_outbox SET leased_until = NULL, lease_token = NULL, next_attempt_at = $3, last_error = $4
        WHERE id = $1 AND lease_token = $2`,
      [id, token, nextAttemptAt, error],
    );
  }

  /** How many entries wait, all realms, and when the oldest was queued (null when none): one aggregate row, for /metrics. */
  async backlog(): Promise<{ entries: number; oldest: Date | null }> {
    const { rows } = await this.db.query<{ entries: string; oldest: Date | null }>(
      'SELECT count(*) AS entries, min(created_at) AS oldest FROM fhir_audit_outbox',
    );
    return { entries: Number(rows[0]!.entries), oldest: rows[0]!.oldest };
  }

  /** How many entries wait for each realm not among `realms` (one the config no longer has). */
  async strandedBesides(realms: readonly string[]): Promise<{ realm: string; entries: number }[]> {
    const { rows } = await this.db.query<{ realm: string; entries: string }>(
      'SELECT realm, count(*) AS entries FROM fhir_audit_outbox WHERE NOT (realm = ANY($1::text[])) GROUP BY realm ORDER BY realm',
      [realms],
    );
    return rows.map((row) => ({ realm: row.realm, entries: Number(row.entries) }));
  }

  /** Entries not yet delivered (tests). */
  async pending(realm?: string): Promise<OutboxEntry[]> {
    const { rows } = await this.db.query<OutboxEntry>('SELECT * FROM fhir_audit_outbox WHERE $1::text IS NULL OR realm = $1 ORDER BY id', [
      realm ?? null,
    ]);
    return rows;
  }
}
