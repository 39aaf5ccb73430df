/**
 * A value read at most once per `maxAgeMs` however often it is asked for; askers within that time share
 * one read. For what an anonymous request may ask and costs a query or a request elsewhere: a gauge
 * of `/metrics` (which may be on the public port) or `/health/ready`'s probes; a stranger asking in a
 * loop must not turn each request into a query. A failed read is not kept, so the next ask tries again.
 */
export class ThrottledReading<T> {
  private last: { at: number; value: Promise<T> } | undefined;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly maxAgeMs: number,
    /** Monotonic milliseconds: a clock moved by hand or by NTP does not change how often the database is asked. */
    private readonly now: () => number = () => performance.now(),
  ) {}

  get(): Promise<T> {
    const now = this.now();
    if (this.last === undefined || now - this.last.at >= this.maxAgeMs) {
      const value = this.read();
      const entry = { at: now, value };
      this.last = entry;
      value.catch(() => {
        if (this.last === entry) this.last = undefined;
      });
    }
    return this.last.value;
  }
}
