import { readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Database, Queryable } from './database.js';
import { openDatabase } from './database.factory.js';
import { migrate } from './migrator.js';
import { engines, type Scratch } from '../../test/support/database-engines.js';

/**
 * One suite, every available engine: PGlite always, PostgreSQL when TEST_DATABASE_URL points at a
 * server whose user may create databases. Each PostgreSQL scratch database is created for this run
 * and dropped after it, so repeated runs and parallel jest workers never share state.
 */
describe.each(engines)('storage contract on $name', (engine) => {
  let scratch: Scratch;
  let db: Database;
  let tableCount = 0;

  beforeAll(async () => {
    scratch = await engine.createScratch();
    db = await scratch.connect();
  });
  afterAll(async () => {
    await scratch?.dispose();
  });

  /** Every test writes to a table of its own, so tests sharing the database cannot see each other. */
  async function createTable(columns: string): Promise<string> {
    const table = `contract_${++tableCount}`;
    await db.query(`CREATE TABLE ${table} (${columns})`);
    return table;
  }

  it('binds parameters and returns typed rows', async () => {
    const t = await createTable('id int PRIMARY KEY, name text NOT NULL, active boolean NOT NULL');
    await db.query(`INSERT INTO ${t} VALUES ($1, $2, $3), ($4, $5, $6)`, [1, 'ada', true, 2, "o'brien; DROP", false]);

    const { rows } = await db.query<{ id: number; name: string; active: boolean }>(`SELECT id, name, active FROM ${t} WHERE name = $1`, [
      "o'brien; DROP",
    ]);

    expect(rows).toEqual([{ id: 2, name: "o'brien; DROP", active: false }]);
  });

  it('runs a named statement many times, on every connection and inside transactions, with its own parameters each time', async () => {
    const t = await createTable('id int PRIMARY KEY, name text NOT NULL');
    await db.query(`INSERT INTO ${t} VALUES (1, 'ada'), (2, 'grace')`);
    const byId = { name: `contract-by-id-${t}`, text: `SELECT name FROM ${t} WHERE id = $1` };

    // More at once than a pool has connections, so several connections prepare it.
    const names = await Promise.all(Array.from({ length: 24 }, (_, i) => db.query<{ name: string }>(byId, [(i % 2) + 1])));
    const inTransaction = await db.transaction(async (tx) => (await tx.query<{ name: string }>(byId, [2])).rows);

    expect(names.map((result) => result.rows[0]!.name)).toEqual(Array.from({ length: 24 }, (_, i) => (i % 2 ? 'grace' : 'ada')));
    expect(inTransaction).toEqual([{ name: 'grace' }]);
    expect((await db.query(byId, [3])).rows).toEqual([]);
  });

  it('keeps running a named statement with named columns after a migration adds a column to its table', async () => {
    const t = await createTable('id int PRIMARY KEY, name text NOT NULL');
    await db.query(`INSERT INTO ${t} VALUES (1, 'ada')`);
    const named = { name: `contract-columns-${t}`, text: `SELECT id, name FROM ${t} WHERE id = $1` };
    // Prepared on every pooled connection before the migration, as on a running instance.
    await Promise.all(Array.from({ length: 12 }, () => db.query(named, [1])));

    await db.query(`ALTER TABLE ${t} ADD COLUMN added text`);

    const after = await Promise.all(Array.from({ length: 12 }, () => db.query(named, [1])));
    expect(after.every((result) => result.rows[0]?.name === 'ada')).toBe(true);
  });

  it('returns int8 and count(*) as exact strings', async () => {
    const t = await createTable('id int8 PRIMARY KEY');
    await db.query(`INSERT INTO ${t} VALUES ($1), ($2)`, ['9007199254740993', '1']);

    const ids = await db.query<{ id: string }>(`SELECT id FROM ${t} ORDER BY id DESC`);
    const count = await db.query<{ count: string }>(`SELECT count(*) FROM ${t}`);

    expect(ids.rows).toEqual([{ id: '9007199254740993' }, { id: '1' }]);
    expect(count.rows).toEqual([{ count: '2' }]);
  });

  it('reports rows inserted, updated and deleted as rowCount, and 0 for DDL', async () => {
    const t = await createTable('id int PRIMARY KEY, n int NOT NULL');

    const inserted = await db.query(`INSERT INTO ${t} VALUES (1, 0), (2, 0), (3, 0)`);
    const updated = await db.query(`UPDATE ${t} SET n = n + 1 WHERE id > $1`, [1]);
    const updatedNone = await db.query(`UPDATE ${t} SET n = 0 WHERE id > 99`);
    const deleted = await db.query(`DELETE FROM ${t}`);
    const ddl = await db.query(`ALTER TABLE ${t} ADD COLUMN note text`);

    expect([inserted, updated, updatedNone, deleted, ddl].map((r) => r.rowCount)).toEqual([3, 2, 0, 3, 0]);
  });

  it('round-trips jsonb: an object in, an equal object out', async () => {
    const t = await createTable('id int PRIMARY KEY, doc jsonb NOT NULL');
    const doc = { sub: 'abc', nested: { roles: ['a', 'b'], n: 1.5, none: null }, text: 'Ærø "quoted"' };
    // `pg` serialises a JS array parameter as a PostgreSQL array, not JSON: arrays go in stringified.
    await db.query(`INSERT INTO ${t} VALUES (1, $1), (2, $2)`, [doc, JSON.stringify([1, 'x'])]);

    const { rows } = await db.query<{ doc: unknown }>(`SELECT doc FROM ${t} ORDER BY id`);
    const fromSql = await db.query<{ roles: string }>(`SELECT doc #>> '{nested,roles,1}' AS roles FROM ${t} WHERE id = 1`);

    expect(rows).toEqual([{ doc }, { doc: [1, 'x'] }]);
    expect(fromSql.rows).toEqual([{ roles: 'b' }]);
  });

  it('round-trips timestamptz: a Date in, a Date for the same instant out', async () => {
    const t = await createTable('id int PRIMARY KEY, at timestamptz NOT NULL');
    const at = new Date('2024-02-29T23:59:59.123Z');
    await db.query(`INSERT INTO ${t} VALUES (1, $1)`, [at]);

    const { rows } = await db.query<{ at: Date; same: boolean }>(
      `SELECT at, at = '2024-02-29 23:59:59.123+00'::timestamptz AS same FROM ${t}`,
    );

    expect(rows[0].at).toBeInstanceOf(Date);
    expect(rows[0].at.getTime()).toBe(at.getTime());
    expect(rows[0].same).toBe(true);
  });

  it('commits a transaction and returns its result', async () => {
    const t = await createTable('id int PRIMARY KEY');

    const result = await db.transaction(async (tx) => {
      await tx.query(`INSERT INTO ${t} VALUES (1)`);
      await tx.query(`INSERT INTO ${t} VALUES (2)`);
      return 'done';
    });

    expect(result).toBe('done');
    expect((await db.query(`SELECT id FROM ${t} ORDER BY id`)).rows).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('rolls a transaction back when it throws, and rethrows', async () => {
    const t = await createTable('id int PRIMARY KEY');
    const failure = new Error('abandon');

    const run = db.transaction(async (tx) => {
      await tx.query(`INSERT INTO ${t} VALUES (1)`);
      throw failure;
    });

    await expect(run).rejects.toBe(failure);
    expect((await db.query(`SELECT id FROM ${t}`)).rows).toEqual([]);
  });

  it('rejects a transaction whose failed statement was swallowed, keeping none of its writes', async () => {
    const t = await createTable('id int PRIMARY KEY');

    const run = db.transaction(async (tx) => {
      await tx.query(`INSERT INTO ${t} VALUES (1)`);
      await tx.query(`INSERT INTO ${t} VALUES (1)`).catch(() => undefined);
      return 'looks fine';
    });

    await expect(run).rejects.toThrow(/rolled back/);
    expect((await db.query(`SELECT id FROM ${t}`)).rows).toEqual([]);
  });

  it('refuses a transaction handle used after its transaction ended', async () => {
    let leaked: Queryable | undefined;
    await db.transaction(async (tx) => {
      leaked = tx;
    });

    await expect(leaked!.query('SELECT 1')).rejects.toThrow(/closed/);
  });

  it('counts 0 rows for an INSERT … ON CONFLICT DO NOTHING that hits a duplicate', async () => {
    const t = await createTable('id int PRIMARY KEY, v text NOT NULL');

    const first = await db.query(`INSERT INTO ${t} VALUES (1, 'first') ON CONFLICT DO NOTHING`);
    const second = await db.query(`INSERT INTO ${t} VALUES (1, 'second') ON CONFLICT DO NOTHING`);

    expect([first.rowCount, second.rowCount]).toEqual([1, 0]);
    expect((await db.query(`SELECT v FROM ${t}`)).rows).toEqual([{ v: 'first' }]);
  });

  it('runs concurrent transactions that each increment a counter without losing one', async () => {
    const t = await createTable('id int PRIMARY KEY, n int NOT NULL');
    const log = await createTable('tx int PRIMARY KEY');
    await db.query(`INSERT INTO ${t} VALUES (1, 0)`);

    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        db.transaction(async (tx) => {
          await tx.query(`UPDATE ${t} SET n = n + 1 WHERE id = 1`);
          await new Promise((resolve) => setTimeout(resolve, 1)); // hold the row lock across a tick
          await tx.query(`INSERT INTO ${log} VALUES ($1)`, [i]);
        }),
      ),
    );

    expect((await db.query(`SELECT n FROM ${t}`)).rows).toEqual([{ n: 20 }]);
    expect((await db.query(`SELECT count(*) FROM ${log}`)).rows).toEqual([{ count: '20' }]);
  });

  it('turns a syntax error into a rejected promise and stays usable', async () => {
    await expect(db.query('SELEC 1')).rejects.toMatchObject({ code: '42601' });
    await expect(db.transaction((tx) => tx.query('SELECT FROM WHERE'))).rejects.toMatchObject({ code: '42601' });

    expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

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

describe('openDatabase', () => {
  it('rejects an unknown URL scheme, naming database.url', async () => {
    await expect(openDatabase({ url: 'mysql://user:secret@db/app', dataDir: 'unused' })).rejects.toThrow(
      /^database\.url: unsupported scheme "mysql:\/\/"/,
    );
  });

  it('rejects a URL it cannot parse, naming database.url', async () => {
    await expect(openDatabase({ url: 'not a url', dataDir: 'unused' })).rejects.toThrow(/^database\.url: unsupported scheme \(not a URL\)/);
  });

  it('picks PostgreSQL for postgres:// and postgresql:// without connecting yet', async () => {
    for (const url of ['postgres://u@127.0.0.1:1/db', 'postgresql://u@127.0.0.1:1/db']) {
      const db = await openDatabase({ url, dataDir: 'unused' });
      expect(db.engine).toBe('postgres');
      await db.close();
    }
  });

  it('picks PGlite at dataDir when the URL is empty, creating the directory and keeping data', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pglite-'));
    const dataDir = join(root, 'nested', 'data');
    try {
      const first = await openDatabase({ url: '', dataDir });
      expect(first.engine).toBe('pglite');
      await first.query('CREATE TABLE kept (v text)');
      await first.query(`INSERT INTO kept VALUES ('still here')`);
      await first.close();

      const reopened = await openDatabase({ url: '', dataDir });
      expect((await reopened.query('SELECT v FROM kept')).rows).toEqual([{ v: 'still here' }]);
      await reopened.close();
    } finally {
      await rm(root, { recursive: true });
    }
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
