import type { OnApplicationShutdown } from '@nestjs/common';
import type { AuditEvent, AuditTrail } from './audit-trail.service.js';
import type { Clock } from '../common/clock.js';
import { outsideRequest } from '../logging/request-context.js';
import { RefusalAuditLimiter, type RefusalAuditLimits, type UnrecordedRefusals } from './refusal-audit-limiter.js';

/** The `error` of a summary event: refusals counted, not recorded one by one. */
export const REFUSALS_NOT_RECORDED = 'refusals_not_recorded';

/** A refused request, from the client address it came from. */
export type AnonymousRefusal = Omit<AuditEvent, 'error'> & { ipAddress: string };

/**
 * The audit trail of refusals anyone can cause, bounded. Each refusal recorded is a row kept for the
 * retention period, and a request that needs no secret can be sent thousands of times a second.
 * Up to the limits given (`limits.tokenRefusalAudit`, `limits.loginRefusalAudit`) per window are
 * recorded one by one ({@link RefusalAuditLimiter}); the rest become one event per realm and address
 * (no address: counted across addresses) with the count and the event types and clients counted,
 * written when the window closes: by a timer that does not keep the process alive, or by the next
 * refusal after it, or by {@link flush} at shutdown. Only the audit trail is bounded: the refusal the
 * caller gets is not changed, and a request that succeeds never reaches this. Each kind of refusal
 * has its own instance and share (oauth/token-refusal-audit.ts, login/login-refusal-audit.ts).
 */
export class BoundedRefusalAudit implements OnApplicationShutdown {
  private readonly limiter: RefusalAuditLimiter;
  private readonly windowSeconds: number;
  private timer: NodeJS.Timeout | undefined;
  /** Summaries being written, in order; a refusal never waits for them, shutdown does. */
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly audit: AuditTrail,
    limits: RefusalAuditLimits,
    private readonly clock: Clock,
  ) {
    this.limiter = new RefusalAuditLimiter(limits, clock);
    this.windowSeconds = limits.windowSeconds;
  }

  /** Records a refusal with reason code `error` as {@link AuditTrail.failed} does, while its window's share lasts. */
  async failed(event: AnonymousRefusal, error: string): Promise<void> {
    if (this.admit(event)) await this.audit.failed(event, error);
  }

  /**
   * Records a grant refused with `cause` as {@link AuditTrail.refused} does, while its window's share
   * lasts; one not recorded costs no database work, not even the refused session's lookup.
   */
  async refused(event: AnonymousRefusal, cause: unknown): Promise<void> {
    if (this.admit(event)) await this.audit.refused(event, cause);
  }

  /**
   * After the HTTP server has closed, so refusals of the requests it finished meanwhile are counted
   * too; still before the database closes, whose module Nest shuts down after this one's, which
   * depends on it (storage.module.ts).
   */
  onApplicationShutdown(): Promise<void> {
    return this.flush();
  }

  /** Writes what the open window has not recorded yet; for shutdown, while the database is still open. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.write(this.limiter.close(true));
    await this.writing;
  }

  /** Whether to record `event` one by one; if not, it is counted for its window's summary, due when the window closes. */
  private admit(event: AnonymousRefusal): boolean {
    this.write(this.limiter.close());
    const admitted = this.limiter.admit({ realm: event.realm, type: event.type, clientId: event.clientId ?? undefined }, event.ipAddress);
    if (!admitted) this.closeOnTime();
    return admitted;
  }

  private closeOnTime(): void {
    if (this.timer !== undefined) return;
    const delay = Math.max(1000, this.limiter.windowEnd! - this.clock.now().getTime());
    // Set up by whichever refusal overflowed the window, for the window's: its lines are no request's.
    this.timer = outsideRequest(() =>
      setTimeout(() => {
        this.timer = undefined;
        this.write(this.limiter.close());
        // A clock behind the timer (a test's) leaves the window open: look again later.
        if (this.limiter.hasUnrecorded) this.closeOnTime();
      }, delay).unref(),
    );
  }

  private write(summaries: UnrecordedRefusals[]): void {
    if (summaries.length === 0) return;
    // Summaries of many addresses' refusals, chained by whichever request closed the window: no request's.
    this.writing = outsideRequest(() =>
      this.writing.then(async () => {
        // AuditTrail.failed logs a failed write and never throws.
        for (const summary of summaries) await this.audit.failed(this.summaryEvent(summary), REFUSALS_NOT_RECORDED);
      }),
    );
  }

  /**
   * One event per realm and address: of the type most of its refusals had (the first counted, on a
   * tie), with how many were of each type (`client_login_error: 10`, so secrets tried among made-up
   * refresh tokens still show) and the registered clients it counts.
   */
  private summaryEvent({ realm, address, count, byType, byClient, windowStart }: UnrecordedRefusals): Omit<AuditEvent, 'error'> {
    const [type] = [...byType].reduce((most, next) => (next[1] > most[1] ? next : most));
    return {
      realm,
      type,
      ipAddress: address,
      details: {
        refusals: count,
        types: [...byType.keys()],
        ...Object.fromEntries([...byType].map(([counted, n]) => [counted.toLowerCase(), n])),
        ...(byClient.size > 0 ? { clients: [...byClient.keys()] } : {}),
        window_start: windowStart.toISOString(),
        window_seconds: this.windowSeconds,
      },
    };
  }
}
