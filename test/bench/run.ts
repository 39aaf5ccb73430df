import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { DEFAULT_SAML_OPTIONS } from '../../src/saml/saml-options.js';
import { freePort } from '../support/free-port.js';
import { alternateRounds, combine, formatSpread, roundSpread, type RoundSpread } from './alternate.js';
import { benchBareRouteClientCredentials, benchClientCredentials, benchPeerClientCredentials } from './client-credentials.bench.js';
import { localPostmaster, withCpuAccounting } from './cpu-accounting.js';
import { LOAD_CONNECTIONS, printResults, type LoadResult } from './load.js';
import { benchLinkedLogins, type LinkedLoginResult } from './mock-login.bench.js';
import { startPeer } from './peers/peers.js';
import { prepareRefresh } from './refresh.bench.js';
import { prepareHonestLogins, runHonestLogins } from './saml-amplification.bench.js';
import { samlBenchConfig, samlBenchIdp } from './saml-login.bench.js';
import { nodeSamlPoolRate, nodeSamlValidationRate, type ReferenceRate } from './saml-reference.bench.js';
import { rawEs256SigningRate } from './signing-rate.js';
import { startService, withPeakRss, type RunningService } from './service-process.js';
import { prepareTokenExchange } from './token-exchange.bench.js';

/** Alternating rounds per comparison, and how long each round drives its endpoint. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ROUND_SECONDS = Number(process.env.BENCH_ROUND_SECONDS ?? 5);
/** SAML logins prepared (each a fresh signed and encrypted Response), and how many run at once. */
const SAML_LOGINS = Number(process.env.BENCH_SAML_LOGINS ?? 1500);
const SAML_CONCURRENCY = 16;
/** Threads of the node-saml pool reference: as many as the service's SAML workers (saml-options.ts). */
const SAML_WORKERS = DEFAULT_SAML_OPTIONS.workers;
const MB = 1024 * 1024;

/** A ratio row: ours over its reference, against the issue 14 target (none: for the reader's comparison only). */
interface RatioRow {
  name: string;
  ratio: number;
  target?: number;
  /** p99 of ours, and of the reference where it has one (ms). */
  p99: string;
  /** Its spread over the paired rounds (alternate.ts). */
  rounds?: RoundSpread;
}

/** A limit row: a measured value that must stay at or under its limit. */
interface LimitRow {
  name: string;
  value: number;
  limit: number;
  unit: string;
}

/** `ours` against a reference measured as a load too, in the same alternating rounds. */
function loadRatio(name: string, ours: LoadResult, reference: LoadResult, target?: number): RatioRow {
  return {
    name,
    ratio: ours.requestsPerSecond / reference.requestsPerSecond,
    target,
    p99: `${ours.p99Ms} / ${reference.p99Ms}`,
    rounds: roundSpread(ours.roundRates, reference.roundRates),
  };
}

/** Each round's rate of a reference. */
function perRound(rates: ReferenceRate[]): number[] {
  return rates.map((r) => r.perSecond);
}

/** The mean rate of a reference's rounds, and all it validated. */
function meanRate(rates: ReferenceRate[]): ReferenceRate {
  return {
    perSecond: Math.round(rates.reduce((sum, r) => sum + r.perSecond, 0) / rates.length),
    validated: rates.reduce((sum, r) => sum + r.validated, 0),
  };
}

/** The demo config with an external FHIR server at `fhirBaseUrl` (no seed: that is the embedded server's); its path. */
function externalFhirConfig(dir: string, fhirBaseUrl: string): string {
  const config = parse(readFileSync('fixtures/config/demo.yaml', 'utf8')) as { fhir: Record<string, unknown> };
  config.fhir = { baseUrl: fhirBaseUrl, timeoutMs: config.fhir.timeoutMs };
  const file = join(dir, 'bench-external-fhir.yaml');
  writeFileSync(file, stringify(config));
  return file;
}

/**
 * client_credentials on `service` beside the other contenders, alternating; RSS sampled during its
 * rounds only; the CPU of its PostgreSQL server `postmaster` counted, when it has one on this machine.
 */
function clientCredentialsContender(service: RunningService, peak: { bytes: number }, postmaster: number | undefined) {
  return {
    name: 'client_credentials',
    round: () =>
      withCpuAccounting(service.pid, postmaster, async () => {
        const { result, peakRssBytes } = await withPeakRss(service.pid, () => benchClientCredentials(service.baseUrl, ROUND_SECONDS));
        peak.bytes = Math.max(peak.bytes, peakRssBytes);
        return result;
      }),
  };
}

/**
 * Refresh with rotation and token exchange against client_credentials on the same service and
 * database, in alternating rounds: [client_credentials, refresh, token exchange].
 */
async function databaseBound(
  service: RunningService,
  label: string,
  peak: { bytes: number },
  postmaster: number | undefined,
): Promise<LoadResult[]> {
  const refresh = await prepareRefresh(service.baseUrl, label);
  const exchange = await prepareTokenExchange(service.baseUrl, label);
  await benchClientCredentials(service.baseUrl, 2); // warm-up: JIT, key import, pool
  await refresh(2);
  await exchange(2);
  const [cc, rt, te] = await alternateRounds(ROUNDS, [
    clientCredentialsContender(service, peak, postmaster),
    { name: `refresh_token rotation (${label})`, round: () => withCpuAccounting(service.pid, postmaster, () => refresh(ROUND_SECONDS)) },
    {
      name: `token exchange portal → xis (${label})`,
      round: () => withCpuAccounting(service.pid, postmaster, () => exchange(ROUND_SECONDS)),
    },
  ]);
  return [{ ...cc!, name: `client_credentials (${label})` }, rt!, te!];
}

/**
 * `npm run bench` (issue 14): the service against references measured in the same run, ratios first.
 *
 * - client_credentials against `oidc-provider` set up like our `portal` client, each in its own
 *   process, in alternating rounds from the same load generator at the same concurrency; and beside
 *   them a bare Fastify route that only checks the credentials and signs (no target: for comparison);
 * - refresh with rotation and token exchange against our own client_credentials on the same
 *   database (PGlite, and PostgreSQL with BENCH_DATABASE_URL or TEST_DATABASE_URL);
 * - complete SAML logins (ACS → code → token, citizen found in FHIR) against node-saml's own
 *   validation of the same Responses in one thread, and beside it that validation in as many threads
 *   as the service has SAML workers (no target: the most such a pool could give here);
 * - the service's RSS under client_credentials load, with the embedded FHIR server and with an
 *   external one (the first service's embedded server, over HTTP);
 * - and the machine's raw ES256 signing rate beside them.
 *
 * Service, peer and load generator share this machine's cores; PASS/MISS is computed from this run.
 */
async function main(): Promise<void> {
  const absolute: LoadResult[] = [];
  const ratios: RatioRow[] = [];
  const limits: LimitRow[] = [];
  const logins: LinkedLoginResult[] = [];
  const es256PerSecond = rawEs256SigningRate();
  let samlReference: ReferenceRate | undefined;
  let samlPool: ReferenceRate | undefined;
  const postgresUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  // PostgreSQL's CPU is counted where its server runs on this machine (its backends visible in /proc).
  const postmaster = postgresUrl ? await localPostmaster(postgresUrl) : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  try {
    const embedded = await startService({ DATABASE_DIR: join(dir, 'pglite'), DATABASE_URL: '' });
    const database = postgresUrl ? 'PostgreSQL' : 'PGlite';
    try {
      // The production shape: an external FHIR server (the first service's embedded one, over HTTP), on PostgreSQL where there is one.
      const external = await startService({
        FEDERATION_CONFIG: externalFhirConfig(dir, `${embedded.baseUrl}/fhir/nemlogin`),
        ...(postgresUrl ? { DATABASE_URL: postgresUrl } : { DATABASE_DIR: join(dir, 'pglite-external'), DATABASE_URL: '' }),
      });
      const embeddedPeak = { bytes: 0 };
      const externalPeak = { bytes: 0 };
      try {
        // 1. client_credentials on both services against the oidc-provider peer, alternating, and the
        //    bare Fastify route beside them: how far above the peer a server doing only the work no
        //    grant can skip gets on this machine, with this load generator on the same cores.
        const peer = await startPeer('oidc-provider');
        const bare = await startPeer('bare route');
        try {
          await benchClientCredentials(embedded.baseUrl, 3); // warm-up: JIT, key import, pool
          await benchClientCredentials(external.baseUrl, 3);
          await benchPeerClientCredentials(peer.baseUrl, 3);
          await benchBareRouteClientCredentials(bare.baseUrl, 3);
          const [onPglite, theirs, onExternal, bareRoute] = await alternateRounds(ROUNDS, [
            clientCredentialsContender(embedded, embeddedPeak, undefined),
            {
              name: 'client_credentials, oidc-provider peer',
              round: () => withCpuAccounting(peer.pid, undefined, () => benchPeerClientCredentials(peer.baseUrl, ROUND_SECONDS)),
            },
            clientCredentialsContender(external, externalPeak, postmaster),
            {
              name: 'client_credentials, bare Fastify route',
              round: () => withCpuAccounting(bare.pid, undefined, () => benchBareRouteClientCredentials(bare.baseUrl, ROUND_SECONDS)),
            },
          ]);
          absolute.push(
            { ...onPglite!, name: 'client_credentials (PGlite, embedded FHIR)' },
            { ...onExternal!, name: `client_credentials (${database}, external FHIR)` },
            theirs!,
            bareRoute!,
          );
          for (const [ours, label] of [
            [onExternal!, `${database}, external FHIR`],
            [onPglite!, 'PGlite, embedded FHIR'],
          ] as const) {
            ratios.push(loadRatio(`client_credentials (${label}) / oidc-provider`, ours, theirs!, 2.0));
          }
          ratios.push(
            loadRatio('  bare Fastify route (Basic + ES256 only) / oidc-provider', bareRoute!, theirs!),
            loadRatio(`  client_credentials (${database}, external FHIR) / bare route`, onExternal!, bareRoute!),
          );
        } finally {
          await Promise.all([peer.stop(), bare.stop()]);
        }

        // 2. Database-bound grants against client_credentials on the same service and database.
        const onPostgres = postgresUrl ? await databaseBound(external, 'PostgreSQL', externalPeak, postmaster) : undefined;
        const onPglite = await databaseBound(embedded, 'PGlite', embeddedPeak, undefined);
        absolute.push(...(onPostgres ?? []), ...onPglite);
        const relative = (row: LoadResult, to: LoadResult, name: string, target: number) => ratios.push(loadRatio(name, row, to, target));
        if (onPostgres) relative(onPostgres[1]!, onPostgres[0]!, 'refresh rotation, PostgreSQL / our client_credentials', 0.5);
        else console.log('PostgreSQL scenarios skipped: set BENCH_DATABASE_URL (or TEST_DATABASE_URL) to a postgres:// URL');
        relative(onPglite[1]!, onPglite[0]!, 'refresh rotation, PGlite / our client_credentials', 0.3);
        if (onPostgres) relative(onPostgres[2]!, onPostgres[0]!, 'token exchange, PostgreSQL / our client_credentials', 0.5);
        relative(onPglite[2]!, onPglite[0]!, 'token exchange, PGlite / our client_credentials', 0.5);
        logins.push(...(await benchLinkedLogins(embedded.baseUrl)));
      } finally {
        await external.stop();
      }
      limits.push(
        { name: `RSS under client_credentials, external FHIR + ${database}`, value: externalPeak.bytes / MB, limit: 200, unit: 'MB' },
        { name: 'RSS under client_credentials, embedded FHIR + PGlite', value: embeddedPeak.bytes / MB, limit: 300, unit: 'MB' },
      );
    } finally {
      await embedded.stop();
    }

    // 4. SAML logins against node-saml's own validation of the same Responses, in one thread and in the
    //    service's number of SAML worker threads.
    const port = await freePort();
    const idp = await samlBenchIdp(`http://127.0.0.1:${port}`);
    const saml = await startService(
      { FEDERATION_CONFIG: samlBenchConfig(dir, idp), DATABASE_DIR: join(dir, 'pglite-saml'), DATABASE_URL: '' },
      port,
    );
    try {
      await runHonestLogins('warm-up', saml.baseUrl, idp, await prepareHonestLogins(saml.baseUrl, idp, 50), SAML_CONCURRENCY);
      const prepared = await prepareHonestLogins(saml.baseUrl, idp, SAML_LOGINS);
      // Alternating rounds: node-saml on 200 of the Responses for ROUND_SECONDS in one thread, then in as
      // many threads as the service has SAML workers, then a share of the logins; then the other way
      // round. Validation is stateless here (node-saml's InResponseTo and clock checks off), so the
      // Responses it reads stay good for the service.
      const job = {
        acsUrl: idp.acsUrl,
        responses: prepared.slice(0, 200).map((login) => login.form.SAMLResponse!),
        seconds: ROUND_SECONDS,
      };
      const share = Math.ceil(prepared.length / ROUNDS);
      const references: ReferenceRate[] = [];
      const pools: ReferenceRate[] = [];
      const rounds: LoadResult[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const steps = [
          async () => references.push(await nodeSamlValidationRate(job)),
          async () => pools.push(await nodeSamlPoolRate(job, SAML_WORKERS)),
          async () =>
            rounds.push(
              await withCpuAccounting(saml.pid, undefined, () =>
                runHonestLogins('SAML login', saml.baseUrl, idp, prepared.slice(round * share, (round + 1) * share), SAML_CONCURRENCY),
              ),
            ),
        ];
        if (round % 2 === 1) steps.reverse();
        for (const step of steps) await step();
      }
      samlReference = meanRate(references);
      samlPool = meanRate(pools);
      const samlLogins = combine('SAML login (ACS → code → token, FHIR)', rounds);
      absolute.push(samlLogins);
      ratios.push(
        {
          name: 'SAML logins / node-saml validation, 1 thread',
          ratio: samlLogins.requestsPerSecond / samlReference.perSecond,
          target: 1.5,
          p99: `${samlLogins.p99Ms} / –`,
          rounds: roundSpread(samlLogins.roundRates, perRound(references)),
        },
        {
          name: `  node-saml validation alone, ${SAML_WORKERS} threads / 1 thread (ceiling)`,
          ratio: samlPool.perSecond / samlReference.perSecond,
          p99: '– / –',
          rounds: roundSpread(perRound(pools), perRound(references)),
        },
        {
          name: `  SAML logins / node-saml validation, ${SAML_WORKERS} threads`,
          ratio: samlLogins.requestsPerSecond / samlPool.perSecond,
          p99: `${samlLogins.p99Ms} / –`,
          rounds: roundSpread(samlLogins.roundRates, perRound(pools)),
        },
      );
    } finally {
      await saml.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  console.log(
    `\nRatios (same run; ${cpus().length} cores shared by service, reference and load generator; ${LOAD_CONNECTIONS} connections a load)`,
  );
  console.log(
    `${'comparison'.padEnd(66)} ${'ratio'.padStart(7)} ${'rounds'.padStart(11)} ${'target'.padStart(8)}  result  p99 ms (ours / ref)`,
  );
  for (const r of ratios) {
    const target = r.target === undefined ? '–' : `≥ ${r.target.toFixed(1)}×`;
    const result = r.target === undefined ? '' : r.ratio >= r.target ? 'PASS' : 'MISS';
    const rounds = r.rounds ? formatSpread(r.rounds) : '–';
    console.log(
      `${r.name.padEnd(66)} ${`${r.ratio.toFixed(2)}×`.padStart(7)} ${rounds.padStart(11)} ${target.padStart(8)}  ${result.padEnd(6)}  ${r.p99}`,
    );
  }
  for (const l of limits) {
    console.log(
      `${l.name.padEnd(66)} ${`${Math.round(l.value)} ${l.unit}`.padStart(7)} ${`≤ ${l.limit}`.padStart(8)}  ${l.value > 0 && l.value <= l.limit ? 'PASS' : 'MISS'}`,
    );
  }
  console.log('\nAbsolute figures (this machine, this run)');
  console.log(`raw ES256 signing, node:crypto, 1 thread: ${es256PerSecond.toLocaleString('en')}/s`);
  if (samlReference && samlPool) {
    console.log(
      `node-saml validatePostResponseAsync, 1 thread: ${samlReference.perSecond.toLocaleString('en')}/s (${samlReference.validated} Responses); ` +
        `${SAML_WORKERS} threads: ${samlPool.perSecond.toLocaleString('en')}/s (${samlPool.validated} Responses)`,
    );
  }
  printResults([...absolute, ...logins]);
  console.log('\nFHIR round trips per login');
  for (const login of logins) console.log(`${login.name.padEnd(48)} reads ${login.fhirReadsPerLogin}  writes ${login.fhirWritesPerLogin}`);
  if ([...absolute, ...logins].some((r) => r.failures > 0)) {
    console.error('\nsome requests failed: the figures above are not valid');
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
