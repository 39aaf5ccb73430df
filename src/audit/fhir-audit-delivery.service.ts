import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock.js';
import { PeriodicTask } from '../common/periodic-task.js';
import { randomToken } from '../common/random.js';
import type { Config } from '../config/config.schema.js';
import { CONFIG } from '../config/config.token.js';
import { FhirError } from '../fhir/fhir.errors.js';
import { FhirGateways } from '../fhir/fhir-gateways.js';
import type { ResourceOf } from '../fhir/fhir-resources.js';
import { FhirAuditOutboxRepository, type OutboxEntry } from '../storage/fhir-audit-outbox.repository.js';

/** The first pause after a failed delivery; it doubles with each failure up to `audit.fhirDelivery.maxBackoffSeconds`. */
export const FIRST_BACKOFF_MS = 5000;
/** Time a claim may take beyond one FHIR timeout per entry, before its entries can be claimed again. */
const LEASE_MARGIN_MS = 30_000;

/**
 * Sends queued FHIR AuditEvents (fhir-audit-outbox.repository.ts) to each realm's FHIR server through
 * the FHIR gateway, on every instance, in a round every `audit.fhirDelivery.intervalMs` that goes on
 * while full batches are delivered ({@link FhirAuditDelivery.drain}). An entry leaves the queue
 * only once its server created it; a failure is retried after a pause that doubles from 5 s up to
 * `maxBackoffSeconds`, for as long as it takes (an AuditEvent is a legal record: it is delayed, never
 * dropped). Delivery is at least once: an instance that dies after the server created an AuditEvent and
 * before the queue heard of it makes a duplicate once the lease runs out, which an audit log tolerates
 * better than a gap.
 */
@Injectable()
export class FhirAuditDelivery implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('FhirAuditDelivery');
  /** One round at a time per instance: a round still running (a slow FHIR server) is not doubled. */
  private readonly rounds: PeriodicTask;
  /** The realms whose entries are delivered, each to its own FHIR server: those the config has. */
  private readonly realms: string[];

  constructor(
    private readonly outbox: FhirAuditOutboxRepository,
    private readonly gateways: FhirGateways,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.realms = config.realms.map((realm) => realm.name);
    this.rounds = new PeriodicTask({
      intervalMs: config.audit.fhirDelivery.intervalMs,
      round: () => this.drain(),
      onFailure: (error) => this.logger.warn({ err: error }, 'FHIR AuditEvent delivery round failed'),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.realms.some((realm) => realm.audit.fhir)) this.rounds.start();
    // A realm the config no longer has: its entries stay queued, sent to no other realm's server (nor
    // the service-wide one) and never dropped; the operator is told at each start, and /metrics counts them.
    for (const { realm, entries } of await this.outbox.strandedBesides(this.realms)) {
      this.logger.warn({ realm, entries }, 'FHIR AuditEvents queued for a realm the config no longer has; kept, not delivered');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.rounds.stop();
  }

  /**
   * Claims batch after batch until less than a full batch was due or a delivery failed, unless shutting
   * down: a backlog (after an outage, or more audited events than `batchSize` per `intervalMs`) drains
   * at the FHIR server's pace, as the back-channel worker's does. A failure ends it: the server's
   * trouble is left to the entries' backoff and the next tick, not met by the rest of the queue.
   */
  async drain(): Promise<{ delivered: number; failed: number }> {
    const { batchSize } = this.config.audit.fhirDelivery;
    const total = { delivered: 0, failed: 0 };
    for (;;) {
      const { delivered, failed } = await this.deliverDue();
      total.delivered += delivered;
      total.failed += failed;
      if (failed > 0 || delivered < batchSize || !this.rounds.scheduled) return total;
    }
  }

  /** One batch: claims what is due and tries each once; returns how many were delivered and how many wait. */
  async deliverDue(): Promise<{ delivered: number; failed: number }> {
    const { batchSize } = this.config.audit.fhirDelivery;
    const now = this.clock.now();
    const token = randomToken(16);
    const leaseUntil = new Date(now.getTime() + batchSize * this.config.fhir.timeoutMs + LEASE_MARGIN_MS);
    const entries = await this.outbox.claim(now, leaseUntil, token, batchSize, this.realms);
    let delivered = 0;
    for (const entry of entries) {
      if (await this.deliver(entry, token)) delivered++;
    }
    return { delivered, failed: entries.length - delivered };
  }

  private async deliver(entry: OutboxEntry, token: string): Promise<boolean> {
    try {
      await this.gateways.forRealm(entry.realm).create(entry.resource as unknown as ResourceOf<'AuditEvent'>);
      await this.outbox.delivered(entry.id, token);
      return true;
    } catch (error) {
      // A FhirError's message names the interaction and the HTTP status only (fhir.errors.ts); nothing else is kept.
      const reason = error instanceof FhirError ? error.message : 'unexpected error';
      const next = new Date(this.clock.now().getTime() + this.backoffMs(entry.attempts));
      await this.outbox.retryLater(entry.id, token, next, reason);
      this.logger.warn({ realm: entry.realm, attempts: entry.attempts, reason, next }, 'FHIR AuditEvent not delivered; will retry');
      return false;
    }
  }

  private backoffMs(attempts: number): number {
    const max = this.config.audit.fhirDelivery.maxBackoffSeconds * 1000;
    return Math.min(max, FIRST_BACKOFF_MS * 2 ** Math.min(attempts - 1, 30));
  }
}
