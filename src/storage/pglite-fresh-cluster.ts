import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

/**
 * A dump of a freshly initialised PGlite cluster (initdb done, nothing else), to start in-memory
 * databases from. Every new in-memory PGlite otherwise runs initdb inside WebAssembly: 4–8 s measured
 * on a busy 2-core machine, against under 1 s to load the dump. Tests and throwaway runs open many
 * such databases, so the dump is made once per PGlite version and machine and kept in the temp
 * directory (written under a unique name, then renamed: concurrent processes never read half a file).
 * The dump holds no data of ours: migrations still run on every database opened from it.
 */
let inProcess: Promise<Blob> | undefined;

export function freshClusterDump(): Promise<Blob> {
  inProcess ??= loadOrMake().catch((error: unknown) => {
    inProcess = undefined;
    throw error;
  });
  return inProcess;
}

async function loadOrMake(): Promise<Blob> {
  const file = join(tmpdir(), `federation-pglite-${pgliteVersion()}-fresh-cluster.tar`);
  try {
    return new Blob([await readFile(file)]);
  } catch {
    const db = await PGlite.create('memory://');
    try {
      const dump = await db.dumpDataDir('none');
      const partial = `${file}.${randomUUID()}`;
      await writeFile(partial, Buffer.from(await dump.arrayBuffer()));
      await rename(partial, file);
      return dump;
    } finally {
      await db.close();
    }
  }
}

function pgliteVersion(): string {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const manifest = readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8');
  return (JSON.parse(manifest) as { version: string }).version;
}
