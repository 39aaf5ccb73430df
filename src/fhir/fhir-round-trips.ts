/** HTTP round trips made so far (retries included), for benchmarks and tests. */
export interface FhirRoundTrips {
  requests: number;
  reads: number;
  writes: number;
  retries: number;
  failures: number;
}

/**
 * Told of every round trip as it ends (for /metrics: latency needs each one, not a total). The
 * metrics module sits above this one, so it subscribes here instead of this module calling it.
 */
export interface FhirRoundTripListener {
  roundTrip(kind: 'read' | 'write', ok: boolean, seconds: number): void;
  retry(): void;
}

/**
 * Counts a gateway's round trips and tells its listeners of each; one meter is shared by the gateways
 * of one server (FhirGateway.withBase), so its counts are the server's.
 */
export class FhirRoundTripMeter {
  private readonly counts: FhirRoundTrips = { requests: 0, reads: 0, writes: 0, retries: 0, failures: 0 };
  private readonly listeners: FhirRoundTripListener[] = [];

  stats(): FhirRoundTrips {
    return { ...this.counts };
  }

  onRoundTrip(listener: FhirRoundTripListener): void {
    this.listeners.push(listener);
  }

  /** `send`, counted as one round trip of `kind`, its failure too, and timed for the listeners. */
  async measure<T>(kind: 'read' | 'write', send: () => Promise<T>): Promise<T> {
    this.counts.requests++;
    this.counts[kind === 'read' ? 'reads' : 'writes']++;
    const started = performance.now();
    let ok = false;
    try {
      const result = await send();
      ok = true;
      return result;
    } catch (error) {
      this.counts.failures++;
      throw error;
    } finally {
      const seconds = (performance.now() - started) / 1000;
      for (const listener of this.listeners) listener.roundTrip(kind, ok, seconds);
    }
  }

  retried(): void {
    this.counts.retries++;
    for (const listener of this.listeners) listener.retry();
  }
}
