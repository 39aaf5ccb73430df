import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock.js';
import type { Config } from '../config/config.schema.js';
import { CONFIG } from '../config/config.token.js';
import { ExpiredRowsRepository, type PurgeCounts } from '../storage/expired-rows.repository.js';

/** How often expired rows are purged, and how long ended sessions are kept for audit. */
export const HOUSEKEEPING_INTERVAL_MS = 5 * 60_000;
const ENDED_SESSION_RETENTION_MS = 24 * 3600_000;

/**
 * Purges, in the background, what can no longer matter: expired codes, login transactions, used
 * client-assertion ids, revoked-token entries, SAML request and replay entries past their expiry,
 * sessions a day after they ended or expired, and audit events after `audit.retentionDays`. A failure
 * is logged and retried next round.
 */
@Injectable()
export class HousekeepingService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Housekeeping');
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly expired: ExpiredRowsRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(
      () => void this.purge().catch((error: unknown) => this.logger.warn({ error: (error as Error).name }, 'purge failed')),
      HOUSEKEEPING_INTERVAL_MS,
    );
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** One round; returns the rows deleted per table. */
  async purge(): Promise<PurgeCounts> {
    const now = this.clock.now();
    const purged = await this.expired.purge(
      now,
      new Date(now.getTime() - ENDED_SESSION_RETENTION_MS),
      new Date(now.getTime() - this.config.audit.retentionDays * 86_400_000),
    );
    if (Object.values(purged).some((n) => n > 0)) this.logger.log(purged, 'purged expired rows');
    return purged;
  }
}
