import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/free-port.js';
import { benchClientCredentials } from './client-credentials.bench.js';
import { printResults, type LoadResult } from './load.js';
import { benchLinkedLogins, type LinkedLoginResult } from './mock-login.bench.js';
import { benchRefresh } from './refresh.bench.js';
import { benchSamlLogins, samlBenchConfig, samlBenchIdp } from './saml-login.bench.js';
import { startService } from './service-process.js';
import { benchTokenExchange } from './token-exchange.bench.js';

/**
 * `npm run bench`: starts the built service (demo config, embedded PGlite in a throwaway directory,
 * embedded FHIR with the demo seed) and drives each scenario over loopback; with
 * BENCH_DATABASE_URL (or TEST_DATABASE_URL) it repeats the database-bound ones on PostgreSQL.
 * Figures are for this machine, load generator included: service and load share its cores.
 */
async function main(): Promise<void> {
  const results: LoadResult[] = [];
  const logins: LinkedLoginResult[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  try {
    const embedded = await startService({ DATABASE_DIR: join(dir, 'pglite'), DATABASE_URL: '' });
    try {
      // Warm-up: JIT, key import and connection setup are not what is measured.
      await benchClientCredentials(embedded.baseUrl);
      results.push(await benchClientCredentials(embedded.baseUrl));
      results.push(await benchRefresh(embedded.baseUrl, 'PGlite'));
      results.push(await benchTokenExchange(embedded.baseUrl));
      logins.push(...(await benchLinkedLogins(embedded.baseUrl)));
    } finally {
      await embedded.stop();
    }

    const port = await freePort();
    const idp = await samlBenchIdp(`http://127.0.0.1:${port}`);
    const saml = await startService(
      { FEDERATION_CONFIG: samlBenchConfig(dir, idp), DATABASE_DIR: join(dir, 'pglite-saml'), DATABASE_URL: '' },
      port,
    );
    try {
      results.push(await benchSamlLogins(saml.baseUrl, idp));
    } finally {
      await saml.stop();
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
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  printResults([...results, ...logins]);
  console.log('\nFHIR round trips per login');
  for (const login of logins) console.log(`${login.name.padEnd(48)} reads ${login.fhirReadsPerLogin}  writes ${login.fhirWritesPerLogin}`);
  if ([...results, ...logins].some((r) => r.failures > 0)) {
    console.error('\nsome requests failed: the figures above are not valid');
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
