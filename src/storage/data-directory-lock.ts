import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The lock file inside an embedded data directory; it holds the owner's pid. */
export const LOCK_FILE = 'federation.lock';

/**
 * The lock is held by another process: the operator's to resolve, said in full in its message (the
 * directory, the key and the pid), so it is printed without a stack (start-failure.ts).
 */
export class DataDirectoryInUse extends Error {
  override readonly name = 'DataDirectoryInUse';
}

/** Directories this process holds: a second open in the same process is refused as well. */
const held = new Set<string>();

/**
 * An exclusive lock on an embedded (PGlite) data directory. PGlite is PostgreSQL inside one process,
 * without the postmaster's own lock: a second process on the same directory (a second `npm start`,
 * `keys:rotate` or `keys:withdraw` while the service runs) corrupts what both see (issue 15, finding 7). A process
 * that died without releasing it (`kill -9`) leaves a pid that no longer runs: that lock is taken over.
 */
export class DataDirectoryLock {
  private released = false;

  private constructor(
    private readonly dir: string,
    private readonly file: string,
  ) {}

  /** Takes the lock or throws, naming the directory and the pid that holds it. */
  static acquire(dataDir: string): DataDirectoryLock {
    const dir = resolve(dataDir);
    const file = join(dir, LOCK_FILE);
    if (held.has(dir)) throw inUse(dir, process.pid);
    // Three rounds: another process may take over the same stale lock in between.
    for (let round = 0; round < 3; round++) {
      if (createExclusive(file)) {
        held.add(dir);
        return new DataDirectoryLock(dir, file);
      }
      const holder = holderOf(file);
      if (holder !== undefined && holder !== process.pid && isRunning(holder)) throw inUse(dir, holder);
      // A dead holder, or our own pid left by an earlier life of a container whose process is always pid 1.
      removeStale(file, holder);
    }
    throw new DataDirectoryInUse(`database.dataDir ${dir}: could not take the lock file ${file}; another process keeps taking it`);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    held.delete(this.dir);
    if (holderOf(this.file) !== process.pid) return;
    try {
      unlinkSync(this.file);
    } catch {
      // Already gone: nothing to release.
    }
  }
}

/**
 * Creates the lock file with our pid in it, atomically: the pid goes into a file of our own that is
 * then hard-linked to the lock's name, which fails if that name exists (so nobody ever reads a lock
 * file that is still empty).
 */
function createExclusive(file: string): boolean {
  const mine = `${file}.${process.pid}`;
  writeFileSync(mine, `${process.pid}\n`);
  try {
    linkSync(mine, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(mine);
  }
}

function holderOf(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Signal 0 checks that the process exists; EPERM means it does, under another user. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes a stale lock only if it is still the one judged stale: it is first renamed (atomic), then
 * checked. If a live process took it over in between, its lock is put back.
 */
function removeStale(file: string, stalePid: number | undefined): void {
  const aside = `${file}.stale.${process.pid}`;
  try {
    renameSync(file, aside);
  } catch {
    return; // Already removed by someone else.
  }
  const holder = holderOf(aside);
  if (holder !== stalePid && holder !== undefined && isRunning(holder)) {
    try {
      linkSync(aside, file);
    } catch {
      // Someone else holds it now; the next round reports them.
    }
  }
  unlinkSync(aside);
}

function inUse(dir: string, pid: number): DataDirectoryInUse {
  return new DataDirectoryInUse(
    `database.dataDir ${dir} is in use by another process (pid ${pid}): an embedded database can be opened by one process ` +
      'at a time. Stop that process first (keys:rotate and keys:withdraw included), or use PostgreSQL (database.url) for several instances.',
  );
}
