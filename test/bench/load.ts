import autocannon from 'autocannon';

export interface LoadResult {
  name: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  total: number;
  failures: number;
  /** Where the cores went (cpu-accounting.ts), for the rounds measured so. */
  cpu?: CpuPerRequest;
  /** Each round's rate, in order, where these figures combine alternating rounds (alternate.ts). */
  roundRates?: number[];
}

/** CPU time a round cost, per request or flow, in microseconds; where the cores went (issue 14). */
export interface CpuPerRequest {
  /** The process that answered (the service with its worker threads, or a peer). */
  server: number;
  /** PostgreSQL's processes, when the scenario's database is a PostgreSQL server on this machine. */
  database?: number;
  /** This process: autocannon or the login flows, which share the cores with the server. */
  loadGenerator: number;
}

export interface LoadOptions {
  name: string;
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Per-request bodies, for requests that must differ (fresh assertions, rotating tokens). */
  requests?: autocannon.Request[];
  connections?: number;
  durationSeconds?: number;
  expectStatus?: number;
}

/**
 * Connections each load keeps busy, the same for every contender: `BENCH_CONNECTIONS`, 32 by default.
 * Ours is the contender whose rate rises with them; the peer's and the bare route's are flat from 8 on
 * (docs/PERFORMANCE.md, "The same questions on a second machine").
 */
export const LOAD_CONNECTIONS = connectionsFrom(process.env.BENCH_CONNECTIONS);

function connectionsFrom(value: string | undefined): number {
  if (value === undefined || value === '') return 32;
  const connections = Number(value);
  if (!Number.isInteger(connections) || connections < 1 || connections > 1024) {
    throw new Error(`BENCH_CONNECTIONS: ${JSON.stringify(value)} is not a whole number of connections from 1 to 1024`);
  }
  return connections;
}

/** Drives one endpoint with autocannon over loopback; counts any unexpected status as a failure. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const expected = options.expectStatus ?? 200;
  let unexpected = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        method: options.method ?? 'POST',
        headers: options.headers,
        body: options.body,
        requests: options.requests,
        connections: options.connections ?? LOAD_CONNECTIONS,
        duration: options.durationSeconds ?? 10,
      },
      (error, finished) => (error ? reject(error) : resolve(finished)),
    );
    instance.on('response', (_client: unknown, statusCode: number) => {
      if (statusCode !== expected) unexpected += 1;
    });
  });
  return {
    name: options.name,
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    total: result.requests.total,
    failures: unexpected + result.errors + result.timeouts,
  };
}

export function printResults(results: LoadResult[]): void {
  const micros = (value: number | undefined) => (value === undefined ? '–' : String(value)).padStart(7);
  console.log(
    '\nscenario                                           req/s     p50 ms   p99 ms   requests  failures   CPU µs a request (a flow: a login): server  database  load generator',
  );
  for (const r of results) {
    console.log(
      `${r.name.padEnd(48)} ${String(r.requestsPerSecond).padStart(7)} ${String(r.p50Ms).padStart(9)} ${String(r.p99Ms).padStart(8)} ${String(r.total).padStart(10)} ${String(r.failures).padStart(9)}` +
        (r.cpu ? `                     ${micros(r.cpu.server)}   ${micros(r.cpu.database)}   ${micros(r.cpu.loadGenerator)}` : ''),
    );
  }
}
