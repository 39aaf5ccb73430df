import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { holdsCluster, initialiseInChildProcess } from './pglite-initdb.js';
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
      expect((await db.query('SHOW shared_buffers')).rows).toEqual([{ shared_buffers: '16MB' }]);
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
  }, 120_000);

  it('says which directory it could not initialise, and why', async () => {
    const dir = join(root, 'refused');
    await expect(initialiseInChildProcess(dir, [...PGlite.defaultStartParams, '-c', 'shared_buffers=lots'])).rejects.toThrow(
      `PGlite could not initialise the data directory ${dir}`,
    );
  }, 120_000);
});
