import { readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Database } from './database.js';
import { migrate } from './migrator.js';
import { engines, type Scratch } from '../../test/support/database-engines.js';

/** The storage contract (storage.contract.spec.ts) on every available engine: migrations, each run on a database of its own. */
describe.each(engines)('storage contract on $name', (engine) => {
  describe('migrate', () => {
    let fresh: Scratch;
    beforeEach(async () => {
      fresh = await engine.createScratch();
    });
    afterEach(async () => {
      await fresh?.dispose();
    });

    /** Every shipped migration, in order: what a fresh database must end up with. */
    const shipped = readdirSync(new URL('./migrations/', import.meta.url))
      .filter((f) => f.endsWith('.sql'))
      .map((f) => f.replace(/\.sql$/, ''))
      .sort((x, y) => parseInt(x, 10) - parseInt(y, 10));

    it('applies every shipped migration once, and nothing on a second run', async () => {
      const target = await fresh.connect();

      const first = await migrate(target);
      const second = await migrate(target);

      expect(first[0]).toBe('001_foundation');
      expect(first).toEqual(shipped);
      expect(second).toEqual([]);
      expect(await versionsIn(target)).toEqual(shipped);
      expect(await tableExists(target, 'signing_keys')).toBe(true);
      expect(await tableExists(target, 'client_assertion_jtis')).toBe(true);
    });

    it('applies each version exactly once when two runners start at the same time', async () => {
      const [a, b] = [await fresh.connect(), await fresh.connect()];
      // Open the connections first, so both migrations really start together.
      await Promise.all([a.query('SELECT 1'), b.query('SELECT 1')]);

      const [fromA, fromB] = await Promise.all([migrate(a), migrate(b)]);

      expect([...fromA, ...fromB].sort()).toEqual([...shipped].sort());
      expect(await versionsIn(a)).toEqual(shipped);
    });

    it('orders files by number, not by name', async () => {
      const target = await fresh.connect();
      const dir = await migrationsDir({
        '10_third.sql': 'INSERT INTO steps (n) VALUES (3);',
        '2_second.sql': '-- a comment line; with a semicolon;\nINSERT INTO steps (n) VALUES (2);\nINSERT INTO steps (n)\n  VALUES (22);',
        '1_first.sql': 'CREATE TABLE steps (seq serial PRIMARY KEY, n int NOT NULL);',
        'README.md': 'not a migration',
      });

      try {
        expect(await migrate(target, dir)).toEqual(['1_first', '2_second', '10_third']);
        expect((await target.query('SELECT n FROM steps ORDER BY seq')).rows).toEqual([{ n: 2 }, { n: 22 }, { n: 3 }]);
      } finally {
        await rm(dir, { recursive: true });
      }
    });

    it('applies nothing at all when one migration fails', async () => {
      const target = await fresh.connect();
      const dir = await migrationsDir({
        '001_good.sql': 'CREATE TABLE kept_if_committed (n int);',
        '002_bad.sql': 'CREATE TABLE broken (n no_such_type);',
      });

      try {
        await expect(migrate(target, dir)).rejects.toMatchObject({ code: '42704' });
        expect(await tableExists(target, 'kept_if_committed')).toBe(false);
        expect(await tableExists(target, 'schema_migrations')).toBe(false);
      } finally {
        await rm(dir, { recursive: true });
      }
    });
  });
});

async function versionsIn(db: Database): Promise<string[]> {
  const { rows } = await db.query<{ version: string }>('SELECT version FROM schema_migrations ORDER BY version');
  return rows.map((row) => row.version);
}

async function tableExists(db: Database, table: string): Promise<boolean> {
  const { rows } = await db.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [table]);
  return rows[0].found;
}

async function migrationsDir(files: Record<string, string>): Promise<URL> {
  const dir = await mkdtemp(join(tmpdir(), 'migrations-'));
  await Promise.all(Object.entries(files).map(([name, sql]) => writeFile(join(dir, name), sql)));
  return pathToFileURL(`${dir}/`);
}
