import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PeriodicTask } from '../common/periodic-task.js';
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
  private readonly rounds: PeriodicTask;

  constructor(
    private readonly delivery: BackchannelLogoutService,
    @Inject(CONFIG) config: Config,
  ) {
    this.rounds = new PeriodicTask({
      intervalMs: config.backchannelLogout.intervalMs,
      round: () => this.drain(),
      onFailure: (error) => this.logger.warn({ err: error }, 'back-channel logout round failed'),
    });
  }

  onApplicationBootstrap(): void {
    if (this.delivery.hasSubscribers) this.rounds.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.rounds.stop();
  }

  /** Rounds until fewer than a full batch were due, unless shutting down. */
  private async drain(): Promise<void> {
    while ((await this.delivery.deliverDue()) > 0 && this.rounds.scheduled);
  }
}
