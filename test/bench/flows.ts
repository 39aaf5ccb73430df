import type { LoadResult } from './load.js';

/**
 * Runs a multi-request flow (a whole login) from `concurrency` workers for `seconds`, and reports
 * completed flows per second and latency percentiles. For flows autocannon cannot express.
 */
export async function runFlows(
  name: string,
  flow: (i: number) => Promise<void>,
  options: { concurrency?: number; seconds?: number; limit?: number } = {},
): Promise<LoadResult> {
  const concurrency = options.concurrency ?? 16;
  const deadline = Date.now() + (options.seconds ?? 10) * 1000;
  const latencies: number[] = [];
  let failures = 0;
  let next = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < deadline && (options.limit === undefined || next < options.limit)) {
        const i = next++;
        const t0 = performance.now();
        try {
          await flow(i);
          latencies.push(performance.now() - t0);
        } catch (error) {
          failures += 1;
          if (failures === 1) console.error(`${name}: first failure:`, error);
        }
      }
    }),
  );
  const elapsed = (Date.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const percentile = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0);
  return {
    name,
    requestsPerSecond: Math.round(latencies.length / elapsed),
    p50Ms: percentile(0.5),
    p99Ms: percentile(0.99),
    total: latencies.length,
    failures,
  };
}

/** FHIR round trips so far, read from the service's /metrics. */
export async function fhirRoundTrips(baseUrl: string): Promise<{ reads: number; writes: number }> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const value = (kind: string) =>
    Number(new RegExp(`^federation_fhir_requests_total\\{kind="${kind}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { reads: value('read'), writes: value('write') };
}
