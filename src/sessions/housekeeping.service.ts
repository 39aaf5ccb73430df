import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock.js';
import { DATABASE, type Database } from '../storage/database.js';

/** How often expired rows are purged, and how long ended sessions are kept for audit. */
export const HOUSEKEEPING_INTERVAL_MS = 5 * 60_000;
const ENDED_SESSION_RETENTION_MS = 24 * 3600_000;
/** Rows deleted per statement, so a purge never holds locks long enough to slow requests. */
const BATCH = 1000;

/**
 * Purges, in the background, what can no longer matter: expired codes, login transactions, used
 * client-assertion ids, revoked-token entries, SAML request and replay entries past their expiry,
 * and sessions a day after they ended or expired. A failure is logged and retried next round.
 */
@Injectable()
export class HousekeepingService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Housekeeping');
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(
      () => void this.purge().catch((error: unknown) => this.logger.warn({ err: error }, 'purge failed')),
      HOUSEKEEPING_INTERVAL_MS,
    );
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** One round; returns the rows deleted per table. */
  async purge(): Promise<Record<string, number>> {
    const now = this.clock.now();
    const sessionCutoff = new Date(now.getTime() - ENDED_SESSION_RETENTION_MS);
    const purged: Record<string, number> = {
      authorization_codes: await this.deleteExpired('authorization_codes', 'expires_at', now),
      login_transactions: await this.deleteExpired('login_transactions', 'expires_at', now),
      client_assertion_jtis: await this.deleteExpired('client_assertion_jtis', 'expires_at', now),
      revoked_access_tokens: await this.deleteExpired('revoked_access_tokens', 'expires_at', now),
      saml_pending_requests: await this.deleteExpired('saml_pending_requests', 'expires_at', now),
      saml_used_assertions: await this.deleteExpired('saml_used_assertions', 'expires_at', now),
      sessions: await this.deleteOldSessions(sessionCutoff),
    };
    if (Object.values(purged).some((n) => n > 0)) this.logger.log(purged, 'purged expired rows');
    return purged;
  }

  private async deleteExpired(table: string, column: string, now: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const { rowCount } = await this.db.query(
        `DELETE FROM ${table} WHERE ctid IN (SELECT ctid FROM ${table} WHERE ${column} < $1 LIMIT ${BATCH})`,
        [now],
      );
      total += rowCount;
      if (rowCount < BATCH) return total;
    }
  }

  /** Codes reference sessions, so a session goes only once its codes are gone (they expire within a minute). */
  private async deleteOldSessions(cutoff: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const { rowCount } = await this.db.query(
        `DELETE FROM sessions WHERE ctid IN (
           SELECT s.ctid FROM sessions s
            WHERE (COALESCE(s.ended_at, s.max_expires_at) < $1 OR s.idle_expires_at < $1)
              AND NOT EXISTS (SELECT 1 FROM authorization_codes c WHERE c.session_id = s.id)
            LIMIT ${BATCH})`,
        [cutoff],
      );
      total += rowCount;
      if (rowCount < BATCH) return total;
    }
  }
}
