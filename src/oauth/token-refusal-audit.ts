import type { AuditEvent, AuditTrail } from '../audit/audit-trail.service.js';
import type { Clock } from '../common/clock.js';
import { RefusalAuditLimiter, type RefusalAuditLimits, type UnrecordedRefusals } from './refusal-audit-limiter.js';

/** The `error` of a summary event: refusals counted, not recorded one by one. */
export const REFUSALS_NOT_RECORDED = 'refusals_not_recorded';

/**
 * The audit trail of refused client authentications at the token endpoint (RFC 6749 §5.2
 * `invalid_client`), bounded: anyone can send a wrong secret thousands of times a second, and each
 * refusal recorded is a row kept for the retention period. Up to `limits.tokenRefusalAudit` per window
 * are recorded one by one ({@link RefusalAuditLimiter}); the rest become one `CLIENT_LOGIN_ERROR`
 * event per realm and address (no address: counted across addresses) with the count, written when
 * the window closes: by a timer that does not keep the process alive, or by the next refusal after
 * it, or by {@link flush} at shutdown. Only the audit trail is bounded: the refusal the client gets
 * is not changed, and a request that authenticates never reaches this.
 */
export class TokenRefusalAudit {
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

  /** Records a refusal from `event.ipAddress` as {@link AuditTrail.failed} does, while its window's share lasts. */
  async failed(event: Omit<AuditEvent, 'error'> & { ipAddress: string }, error: string): Promise<void> {
    this.write(this.limiter.close());
    if (this.limiter.admit(event.realm, event.ipAddress)) return this.audit.failed(event, error);
    this.closeOnTime();
  }

  /** Writes what the open window has not recorded yet; for shutdown, while the database is still open. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.write(this.limiter.close(true));
    await this.writing;
  }

  private closeOnTime(): void {
    if (this.timer !== undefined) return;
    const delay = Math.max(1000, this.limiter.windowEnd! - this.clock.now().getTime());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.write(this.limiter.close());
      // A clock behind the timer (a test's) leaves the window open: look again later.
      if (this.limiter.hasUnrecorded) this.closeOnTime();
    }, delay).unref();
  }

  private write(summaries: UnrecordedRefusals[]): void {
    if (summaries.length === 0) return;
    this.writing = this.writing.then(async () => {
      // AuditTrail.failed logs a failed write and never throws.
      for (const summary of summaries) await this.audit.failed(this.summaryEvent(summary), REFUSALS_NOT_RECORDED);
    });
  }

  private summaryEvent({ realm, address, count, windowStart }: UnrecordedRefusals): Omit<AuditEvent, 'error'> {
    return {
      realm,
      type: 'CLIENT_LOGIN_ERROR',
      ipAddress: address,
      details: { refusals: count, window_start: windowStart.toISOString(), window_seconds: this.windowSeconds },
    };
  }
}
