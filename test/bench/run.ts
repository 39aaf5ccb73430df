import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchClientCredentials } from './client-credentials.bench.js';
import { printResults, type LoadResult } from './load.js';
import { startService } from './service-process.js';

/**
 * `npm run bench`: starts the built service on the demo config (embedded PGlite in a throwaway
 * directory) and drives each scenario over loopback. Figures are for this machine, load generator
 * included: the service and autocannon share its cores.
 */
async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-pglite-'));
  const service = await startService({ DATABASE_DIR: dataDir, DATABASE_URL: '' });
  const results: LoadResult[] = [];
  try {
    // Warm-up: JIT, key import and connection setup are not what is measured.
    await benchClientCredentials(service.baseUrl).catch(() => undefined);
    results.push(await benchClientCredentials(service.baseUrl));
  } finally {
    await service.stop();
    rmSync(dataDir, { recursive: true, force: true });
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
