import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchClientCredentials } from './client-credentials.bench.js';
import { printResults, type LoadResult } from './load.js';
import { benchRefresh } from './refresh.bench.js';
import { benchTokenExchange } from './token-exchange.bench.js';
import { startService } from './service-process.js';

/**
 * `npm run bench`: starts the built service on the demo config (embedded PGlite in a throwaway
 * directory) and drives each scenario over loopback. Figures are for this machine, load generator
 * included: the service and autocannon share its cores.
 */
async function main(): Promise<void> {
  const results: LoadResult[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-pglite-'));
  const embedded = await startService({ DATABASE_DIR: dataDir, DATABASE_URL: '' });
  try {
    // Warm-up: JIT, key import and connection setup are not what is measured.
    await benchClientCredentials(embedded.baseUrl);
    results.push(await benchClientCredentials(embedded.baseUrl));
    results.push(await benchRefresh(embedded.baseUrl, 'PGlite'));
    results.push(await benchTokenExchange(embedded.baseUrl));
  } finally {
    await embedded.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }

  const postgresUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (postgresUrl) {
    const onPostgres = await startService({ DATABASE_URL: postgresUrl });
    try {
      results.push(await benchRefresh(onPostgres.baseUrl, 'PostgreSQL'));
      results.push({ ...(await benchTokenExchange(onPostgres.baseUrl)), name: 'token exchange (portal → xis, PostgreSQL)' });
    } finally {
      await onPostgres.stop();
    }
  } else {
    console.log('PostgreSQL scenarios skipped: set BENCH_DATABASE_URL (or TEST_DATABASE_URL) to a postgres:// URL');
  }
  printResults(results);
  if (results.some((r) => r.failures > 0)) {
    console.error('\nsome requests failed: the figures above are not valid');
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
