import { jest } from '@jest/globals';
import type { FhirGateways } from '../fhir/fhir-gateways.js';
import { FederationMetrics, type QueueBacklog } from './federation-metrics.js';

type Backlog = Awaited<ReturnType<QueueBacklog['backlog']>>;

const NOW = new Date('2030-01-01T00:00:00Z');

/** A sample's value in the text format, for a metric without labels. */
function value(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

/**
 * A database queue's count on a database that stops answering (its network blackholed): the read
 * takes the statement timeout plus the connect timeout, longer than Prometheus's whole scrape_timeout.
 */
describe('FederationMetrics: a scrape and a database that does not answer', () => {
  let reads: number;
  /** What the next backlog() does: answer now, or hang until the test settles it. */
  let next: 'answer' | 'hang';
  let answer: Backlog;
  let settle: { resolve(backlog: Backlog): void; reject(error: Error): void } | undefined;
  let metrics: FederationMetrics;

  const auditQueue: QueueBacklog = {
    backlog() {
      reads++;
      if (next === 'answer') return Promise.resolve(answer);
      return new Promise<Backlog>((resolve, reject) => (settle = { resolve, reject }));
    },
  };

  /** A scrape (registry.metrics()), and whether it ended within `ms` of fake time. */
  async function scrapeWithin(ms: number): Promise<string | undefined> {
    let text: string | undefined;
    void metrics.text().then((t) => (text = t));
    await jest.advanceTimersByTimeAsync(ms);
    return text;
  }

  beforeEach(() => {
    // setImmediate stays real: prom-client's event-loop lag gauge waits for it, and Node reports an
    // unhandled rejection once a turn's microtasks are done.
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    reads = 0;
    next = 'answer';
    answer = { entries: 3, oldest: new Date(NOW.getTime() - 30_000) };
    settle = undefined;
    metrics = new FederationMetrics(
      {
        fhir: { onRoundTrip: () => undefined } as unknown as FhirGateways,
        saml: { queueSize: 0, logoutQueueSize: 0 },
        idps: { certificateExpiries: () => [] },
        auditQueue,
        logoutQueue: { backlog: async () => ({ entries: 0, oldest: null }) },
        previousSecrets: { all: () => [] },
        clock: { now: () => NOW },
      },
      { realms: [] },
    );
  });
  afterEach(() => jest.useRealTimers());

  it('ends a scrape within a second, reporting the last values read, while a read hangs', async () => {
    const first = await scrapeWithin(0);
    expect(value(first!, 'federation_fhir_audit_queue_entries')).toBe(3);
    expect(value(first!, 'federation_fhir_audit_queue_oldest_seconds')).toBe(30);

    next = 'hang';
    await jest.advanceTimersByTimeAsync(1000);
    const during = await scrapeWithin(1000);
    expect(during).toBeDefined();
    expect(reads).toBe(2);
    expect(value(during!, 'federation_fhir_audit_queue_entries')).toBe(3);
    expect(value(during!, 'federation_fhir_audit_queue_oldest_seconds')).toBe(30);
    // The other series are all there: the scrape as a whole did not fail.
    expect(value(during!, 'federation_backchannel_logout_queue_entries')).toBe(0);
    expect(during).toContain('federation_grants_total');
  });

  it('starts no second read while one is still under way, and keeps the answer that comes late', async () => {
    await scrapeWithin(0);
    next = 'hang';
    for (let i = 0; i < 14; i++) {
      await jest.advanceTimersByTimeAsync(1000);
      expect(await scrapeWithin(1000)).toBeDefined();
    }
    expect(reads).toBe(2);

    // The read answers at last, after its scrape gave up on it: its values are kept, and reported by
    // the next scrape even though the read that one starts hangs in turn.
    settle!.resolve({ entries: 7, oldest: new Date(NOW.getTime() - 60_000) });
    await jest.advanceTimersByTimeAsync(0);
    const after = await scrapeWithin(1000);
    expect(reads).toBe(3);
    expect(value(after!, 'federation_fhir_audit_queue_entries')).toBe(7);
    expect(value(after!, 'federation_fhir_audit_queue_oldest_seconds')).toBe(60);
  });

  it('handles a read that fails after its scrape ended, and reads again at the next scrape', async () => {
    await scrapeWithin(0);
    next = 'hang';
    await jest.advanceTimersByTimeAsync(1000);
    expect(await scrapeWithin(1000)).toBeDefined();
    expect(reads).toBe(2);

    // The statement and connect timeouts run out. Jest fails a test that leaves a rejection unhandled;
    // Node reports one once the turn's microtasks are done.
    settle!.reject(new Error('Connection terminated due to connection timeout'));
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));

    next = 'answer';
    answer = { entries: 0, oldest: null };
    const back = await scrapeWithin(0);
    expect(reads).toBe(3);
    expect(value(back!, 'federation_fhir_audit_queue_entries')).toBe(0);
    expect(value(back!, 'federation_fhir_audit_queue_oldest_seconds')).toBe(0);
  });
});
