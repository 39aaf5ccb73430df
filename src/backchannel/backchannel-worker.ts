import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Config } from '../config/config.schema.js';
import { CONFIG } from '../config/config.token.js';
import { BackchannelLogoutService } from './backchannel-logout.service.js';

/**
 * Every instance delivers due back-channel logout notifications every `backchannelLogout.intervalMs`,
 * one round at a time; the rows' leases keep instances from delivering one notification twice. At
 * shutdown the round under way finishes (or its leases run out, if the process is killed), so a
 * notification is delivered by this instance or, later, by another.
 */
@Injectable()
export class BackchannelWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('BackchannelWorker');
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;

  constructor(
    private readonly delivery: BackchannelLogoutService,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.delivery.hasSubscribers) return;
    this.timer = setInterval(() => this.tick(), this.config.backchannelLogout.intervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.round;
  }

  private tick(): void {
    if (this.round) return;
    this.round = this.drain()
      .catch((error: unknown) => this.logger.warn({ err: error }, 'back-channel logout round failed'))
      .finally(() => (this.round = undefined));
  }

  /** Rounds until fewer than a full batch were due, unless shutting down. */
  private async drain(): Promise<void> {
    while ((await this.delivery.deliverDue()) > 0 && this.timer);
  }
}
