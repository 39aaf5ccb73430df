import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type Database } from './database.js';

/** Every table whose rows carry their own expiry, each purged once `expires_at` has passed. */
const EXPIRING_TABLES = [
  'authorization_codes',
  'login_transactions',
  'client_assertion_jtis',
  'revoked_access_tokens',
  'saml_pending_requests',
  'saml_used_assertions',
  'backchannel_logouts',
  'saml_idp_logouts',
] as const;

/** Rows deleted per statement, so a purge never holds locks long enough to slow requests. */
const BATCH = 1000;

/**
 * How long one purge statement may run (PostgreSQL; `database.statementTimeoutSeconds` bounds a
 * request's). Finding a batch may scan a table of millions of rows, which must not be cancelled at
 * every run while expired rows pile up; a statement that has not found its batch in this long is.
 */
const PURGE_STATEMENT_SECONDS = 120;

export type PurgeCounts = Record<(typeof EXPIRING_TABLES)[number] | 'sessions' | 'sso_sessions' | 'audit_events', number>;

/**
 * The purge statements of housekeeping, in batches: what can no longer matter, across the tables of
 * several repositories (the one place that deletes by age rather than by key).
 */
@Injectable()
export class ExpiredRowsRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  /**
   * Deletes expired rows of every expiring table, sessions and SSO sessions that ended or expired before
   * `sessionCutoff`, and audit events older than `auditCutoff` (`audit.retentionDays`).
   */
  async purge(now: Date, sessionCutoff: Date, auditCutoff: Date): Promise<PurgeCounts> {
    const purged = {} as PurgeCounts;
    for (const table of EXPIRING_TABLES) {
      purged[table] = await this.inBatches(
        `DELETE FROM ${table} WHERE ctid IN (SELECT ctid FROM ${table} WHERE expires_at < $1 LIMIT ${BATCH})`,
        now,
      );
    }
    // Codes reference sessions, so a session goes only once its codes are gone (they expire within a minute).
    // A session delegated from another goes before it: deleting the parent would delete it too (ON DELETE
    // CASCADE), locking rows outside the batch's order. It runs out by its own ends at the latest, and
    // its parent goes at the next run.
    // Of a batch, those a refresh, a revocation or a logout holds are left to the next run (SKIP LOCKED)
    // and the rest locked in id order: deleting many rows, the purge must not hold one a rotation waits
    // for while it waits for one the rotation holds (the lock order of session.statements.ts). The batch
    // is chosen first, unsorted, so a large backlog is not sorted again for every batch. What makes a
    // session purgeable does not change once it holds (an end stays, a rotation of it fails).
    purged.sessions = await this.inBatches(
      `DELETE FROM sessions WHERE id IN (
         SELECT l.id FROM sessions l
          WHERE l.id IN (
                SELECT s.id FROM sessions s
                 WHERE (COALESCE(s.ended_at, s.max_expires_at) < $1 OR s.idle_expires_at < $1)
                   AND NOT EXISTS (SELECT 1 FROM authorization_codes c WHERE c.session_id = s.id)
                   AND NOT EXISTS (SELECT 1 FROM sessions d WHERE d.parent_id = s.id)
                 LIMIT ${BATCH})
          ORDER BY l.id FOR UPDATE SKIP LOCKED)`,
      sessionCutoff,
    );
    // An SSO session goes once it is over and no client session of it is left (they end with it, and go first).
    purged.sso_sessions = await this.inBatches(
      `DELETE FROM sso_sessions WHERE ctid IN (
         SELECT u.ctid FROM sso_sessions u
          WHERE (COALESCE(u.ended_at, u.max_expires_at) < $1 OR u.idle_expires_at < $1)
            AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.sso_session_id = u.id)
          LIMIT ${BATCH})`,
      sessionCutoff,
    );
    purged.audit_events = await this.inBatches(
      `DELETE FROM audit_events WHERE id IN (SELECT id FROM audit_events WHERE occurred_at < $1 LIMIT ${BATCH})`,
      auditCutoff,
    );
    return purged;
  }

  private async inBatches(statement: string, cutoff: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const { rowCount } = await this.db.transaction((tx) => tx.query(statement, [cutoff]), {
        statementTimeoutSeconds: PURGE_STATEMENT_SECONDS,
      });
      total += rowCount;
      if (rowCount < BATCH) return total;
    }
  }
}
