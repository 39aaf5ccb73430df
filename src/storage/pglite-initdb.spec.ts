import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { holdsCluster, initialiseInChildProcess, INITDB_SCRATCH } from './pglite-initdb.js';
import { PgliteDatabase } from './pglite.database.js';

describe('PGlite data directory initialised in a child process', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'pglite-initdb-'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('creates the cluster of a new directory, which the service then opens and keeps', async () => {
    const dir = join(root, 'new');
    const db = await PgliteDatabase.open(dir);
    try {
      expect(holdsCluster(dir)).toBe(true);
      await db.query('CREATE TABLE kept (id int)');
      await db.query('INSERT INTO kept VALUES ($1)', [7]);
      // Sized for its one backend (pglite.database.ts) from the first start on.
      expect((await db.query('SHOW shared_buffers')).rows).toEqual([{ shared_buffers: '8MB' }]);
      expect((await db.query('SHOW max_connections')).rows).toEqual([{ max_connections: '1' }]);
    } finally {
      await db.close();
    }
    const again = await PgliteDatabase.open(dir);
    try {
      expect((await again.query('SELECT id FROM kept')).rows).toEqual([{ id: 7 }]);
    } finally {
      await again.close();
    }
  }, 120_000);

  it('stops a child that does not finish in time, and says so', async () => {
    const dir = join(root, 'slow');
    await expect(initialiseInChildProcess(dir, PGlite.defaultStartParams, 50)).rejects.toThrow(
      `PGlite did not initialise the data directory ${dir} within 0.05 s`,
    );
    expect(holdsCluster(dir)).toBe(false);
  }, 120_000);

  it('takes what a first start stopped part-way left for no cluster, clears it, and makes one', async () => {
    const dir = join(root, 'interrupted');
    // A child killed near its end: a cluster's files, PG_VERSION among them, in the scratch directory only.
    await mkdir(join(dir, INITDB_SCRATCH, 'base'), { recursive: true });
    await writeFile(join(dir, INITDB_SCRATCH, 'PG_VERSION'), '17\n');
    expect(holdsCluster(dir)).toBe(false);
    const db = await PgliteDatabase.open(dir);
    try {
      expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
    }
    expect(holdsCluster(dir)).toBe(true);
    expect(await readdir(dir)).not.toContain(INITDB_SCRATCH);
  }, 120_000);

  it('refuses, before moving anything, a directory holding files of a cluster but no PG_VERSION', async () => {
    const dir = join(root, 'foreign');
    await mkdir(join(dir, 'base'), { recursive: true });
    await expect(PgliteDatabase.open(dir)).rejects.toThrow(`database.dataDir ${dir}: holds base but no complete cluster (no PG_VERSION)`);
    expect(holdsCluster(dir)).toBe(false);
    expect((await readdir(dir)).sort()).toEqual(['base']);
  }, 120_000);

  it('says which directory it could not initialise, and why', async () => {
    const dir = join(root, 'refused');
    await expect(initialiseInChildProcess(dir, [...PGlite.defaultStartParams, '-c', 'shared_buffers=lots'])).rejects.toThrow(
      `PGlite could not initialise the data directory ${dir}`,
    );
  }, 120_000);
});
