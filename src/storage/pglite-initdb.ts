import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** What the child runs: PGlite creates the cluster in the directory (initdb) and closes it. CommonJS, for `node -e`. */
const INITDB_SCRIPT = `
const [, entry, dataDir, startParams] = process.argv;
require(entry).PGlite.create(dataDir, { startParams: JSON.parse(startParams) })
  .then((db) => db.close())
  .catch((error) => { process.stderr.write(String(error && error.message || error)); process.exit(1); });
`;

/** initdb took 4–8 s on a busy 2-core machine; machines differ up to tenfold. */
const INITDB_TIMEOUT_MS = 180_000;

/**
 * Where the child makes the cluster: inside the data directory (beside its lock file), so that moving
 * the finished cluster into place is a rename on one file system.
 */
export const INITDB_SCRATCH = '.initdb';

/**
 * Whether `dataDir` holds a complete PostgreSQL cluster: its PG_VERSION is moved in last
 * ({@link initialiseInChildProcess}), so a first start stopped part-way leaves none.
 */
export function holdsCluster(dataDir: string): boolean {
  return existsSync(join(dataDir, 'PG_VERSION'));
}

/**
 * Creates the cluster of a new data directory in a child process that exits when it is done. PGlite
 * runs initdb in a second instance inside the process that opens the directory and copies the result
 * through a dump; WebAssembly memory never shrinks and glibc kept much of the rest, so a service whose
 * first start ran initdb stayed ≈130 MB larger for its whole life than one opening the same directory
 * again (issue 14: 414–453 MB against 300–330 MB under client_credentials). The child's memory goes
 * with it. It works in a scratch directory, and only a finished cluster is moved into `dataDir`, PG_VERSION
 * last: a first start killed part-way (a timeout, Ctrl-C, an out-of-memory kill) left a directory with
 * PG_VERSION that the next start took for a complete cluster; now at most a scratch directory, which
 * the next start clears.
 */
export async function initialiseInChildProcess(
  dataDir: string,
  startParams: readonly string[],
  timeoutMs = INITDB_TIMEOUT_MS,
): Promise<void> {
  const scratch = join(dataDir, INITDB_SCRATCH);
  await rm(scratch, { recursive: true, force: true }); // what an interrupted first start left
  await mkdir(scratch, { recursive: true });
  try {
    await runInitdbChild(scratch, startParams, timeoutMs, dataDir);
    await moveClusterInto(scratch, dataDir);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** PGlite's initdb in `scratch`, in a child process; its errors name `dataDir`, the directory the operator configured. */
async function runInitdbChild(scratch: string, startParams: readonly string[], timeoutMs: number, dataDir: string): Promise<void> {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const child = spawn(process.execPath, ['-e', INITDB_SCRIPT, entry, scratch, JSON.stringify(startParams)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    // A bounded tail: enough for PGlite's reason, never a runaway buffer.
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  // A child that never finishes must not hold the start-up forever: it is killed, and the start fails.
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  // 'close', not 'exit': its standard error has been read to the end by then.
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  }).finally(() => clearTimeout(timer));
  if (timedOut) throw new Error(`PGlite did not initialise the data directory ${dataDir} within ${timeoutMs / 1000} s`);
  if (code !== 0) throw new Error(`PGlite could not initialise the data directory ${dataDir}: ${stderr.trim() || `exit code ${code}`}`);
}

/** Moves the finished cluster from `scratch` into `dataDir`, PG_VERSION last; refuses before moving anything if a name is taken. */
async function moveClusterInto(scratch: string, dataDir: string): Promise<void> {
  const names = (await readdir(scratch)).sort((a, b) => Number(a === 'PG_VERSION') - Number(b === 'PG_VERSION'));
  const taken = names.filter((name) => existsSync(join(dataDir, name)));
  if (taken.length > 0) {
    throw new Error(
      `database.dataDir ${dataDir}: holds ${taken.join(', ')} but no complete cluster (no PG_VERSION); ` +
        'it is not a PGlite data directory, or one whose first start was stopped while moving the cluster in: empty it or choose another',
    );
  }
  for (const name of names) await rename(join(scratch, name), join(dataDir, name));
}
