import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirectoryLock, LOCK_FILE } from './data-directory-lock.js';

describe('DataDirectoryLock', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** The pid of a process that has already exited. */
  const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;

  it('is exclusive, also within one process, and free again once released', () => {
    const lock = DataDirectoryLock.acquire(dir);
    expect(() => DataDirectoryLock.acquire(dir)).toThrow(`database.dataDir ${dir} is in use by another process (pid ${process.pid})`);
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    DataDirectoryLock.acquire(dir).release();
  });

  it('refuses a lock held by another running process, naming its pid', () => {
    writeFileSync(join(dir, LOCK_FILE), `${process.ppid}\n`);
    expect(() => DataDirectoryLock.acquire(dir)).toThrow(`(pid ${process.ppid})`);
  });

  it('takes over the lock of a process that no longer runs, an unreadable one, and its own pid from an earlier life', () => {
    for (const content of [`${deadPid()}\n`, '', 'not a pid', `${process.pid}\n`]) {
      writeFileSync(join(dir, LOCK_FILE), content);
      const lock = DataDirectoryLock.acquire(dir);
      lock.release();
    }
  });

  it('does not remove a lock it does not hold when released twice', () => {
    const lock = DataDirectoryLock.acquire(dir);
    lock.release();
    writeFileSync(join(dir, LOCK_FILE), `${process.ppid}\n`);
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
  });
});
