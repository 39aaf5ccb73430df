import { engines } from '../../test/support/database-engines.js';
import { contractDatabaseForSuite } from '../../test/support/storage-contract.js';

/**
 * One suite, every available engine: PGlite always, PostgreSQL when TEST_DATABASE_URL points at a
 * server whose user may create databases. Each PostgreSQL scratch database is created for this run
 * and dropped after it, so repeated runs and parallel jest workers never share state. This file: a
 * query's parameters, named statements and the rows and counts it returns; transactions in
 * storage-transactions.contract.spec.ts, migrations in migrator.contract.spec.ts.
 */
describe.each(engines)('storage contract on $name', (engine) => {
  const h = contractDatabaseForSuite(engine);

  it('binds parameters and returns typed rows', async () => {
    const t = await h.createTable('id int PRIMARY KEY, name text NOT NULL, active boolean NOT NULL');
    await h.db.query(`INSERT INTO ${t} VALUES ($1, $2, $3), ($4, $5, $6)`, [1, 'ada', true, 2, "o'brien; DROP", false]);

    const { rows } = await h.db.query<{ id: number; name: string; active: boolean }>(`SELECT id, name, active FROM ${t} WHERE name = $1`, [
      "o'brien; DROP",
    ]);

    expect(rows).toEqual([{ id: 2, name: "o'brien; DROP", active: false }]);
  });

  it('runs a named statement many times, on every connection and inside transactions, with its own parameters each time', async () => {
    const t = await h.createTable('id int PRIMARY KEY, name text NOT NULL');
    await h.db.query(`INSERT INTO ${t} VALUES (1, 'ada'), (2, 'grace')`);
    const byId = { name: `contract-by-id-${t}`, text: `SELECT name FROM ${t} WHERE id = $1` };

    // More at once than a pool has connections, so several connections prepare it.
    const names = await Promise.all(Array.from({ length: 24 }, (_, i) => h.db.query<{ name: string }>(byId, [(i % 2) + 1])));
    const inTransaction = await h.db.transaction(async (tx) => (await tx.query<{ name: string }>(byId, [2])).rows);

    expect(names.map((result) => result.rows[0]!.name)).toEqual(Array.from({ length: 24 }, (_, i) => (i % 2 ? 'grace' : 'ada')));
    expect(inTransaction).toEqual([{ name: 'grace' }]);
    expect((await h.db.query(byId, [3])).rows).toEqual([]);
  });

  it('keeps running a named statement with named columns after a migration adds a column to its table', async () => {
    const t = await h.createTable('id int PRIMARY KEY, name text NOT NULL');
    await h.db.query(`INSERT INTO ${t} VALUES (1, 'ada')`);
    const named = { name: `contract-columns-${t}`, text: `SELECT id, name FROM ${t} WHERE id = $1` };
    // Prepared on every pooled connection before the migration, as on a running instance.
    await Promise.all(Array.from({ length: 12 }, () => h.db.query(named, [1])));

    await h.db.query(`ALTER TABLE ${t} ADD COLUMN added text`);

    const after = await Promise.all(Array.from({ length: 12 }, () => h.db.query(named, [1])));
    expect(after.every((result) => result.rows[0]?.name === 'ada')).toBe(true);
  });

  it('returns int8 and count(*) as exact strings', async () => {
    const t = await h.createTable('id int8 PRIMARY KEY');
    await h.db.query(`INSERT INTO ${t} VALUES ($1), ($2)`, ['9007199254740993', '1']);

    const ids = await h.db.query<{ id: string }>(`SELECT id FROM ${t} ORDER BY id DESC`);
    const count = await h.db.query<{ count: string }>(`SELECT count(*) FROM ${t}`);

    expect(ids.rows).toEqual([{ id: '9007199254740993' }, { id: '1' }]);
    expect(count.rows).toEqual([{ count: '2' }]);
  });

  it('reports rows inserted, updated and deleted as rowCount, and 0 for DDL', async () => {
    const t = await h.createTable('id int PRIMARY KEY, n int NOT NULL');

    const inserted = await h.db.query(`INSERT INTO ${t} VALUES (1, 0), (2, 0), (3, 0)`);
    const updated = await h.db.query(`UPDATE ${t} SET n = n + 1 WHERE id > $1`, [1]);
    const updatedNone = await h.db.query(`UPDATE ${t} SET n = 0 WHERE id > 99`);
    const deleted = await h.db.query(`DELETE FROM ${t}`);
    const ddl = await h.db.query(`ALTER TABLE ${t} ADD COLUMN note text`);

    expect([inserted, updated, updatedNone, deleted, ddl].map((r) => r.rowCount)).toEqual([3, 2, 0, 3, 0]);
  });

  it('round-trips jsonb: an object in, an equal object out', async () => {
    const t = await h.createTable('id int PRIMARY KEY, doc jsonb NOT NULL');
    const doc = { sub: 'abc', nested: { roles: ['a', 'b'], n: 1.5, none: null }, text: 'Ærø "quoted"' };
    // `pg` serialises a JS array parameter as a PostgreSQL array, not JSON: arrays go in stringified.
    await h.db.query(`INSERT INTO ${t} VALUES (1, $1), (2, $2)`, [doc, JSON.stringify([1, 'x'])]);

    const { rows } = await h.db.query<{ doc: unknown }>(`SELECT doc FROM ${t} ORDER BY id`);
    const fromSql = await h.db.query<{ roles: string }>(`SELECT doc #>> '{nested,roles,1}' AS roles FROM ${t} WHERE id = 1`);

    expect(rows).toEqual([{ doc }, { doc: [1, 'x'] }]);
    expect(fromSql.rows).toEqual([{ roles: 'b' }]);
  });

  it('round-trips timestamptz: a Date in, a Date for the same instant out', async () => {
    const t = await h.createTable('id int PRIMARY KEY, at timestamptz NOT NULL');
    const at = new Date('2024-02-29T23:59:59.123Z');
    await h.db.query(`INSERT INTO ${t} VALUES (1, $1)`, [at]);

    const { rows } = await h.db.query<{ at: Date; same: boolean }>(
      `SELECT at, at = '2024-02-29 23:59:59.123+00'::timestamptz AS same FROM ${t}`,
    );

    expect(rows[0].at).toBeInstanceOf(Date);
    expect(rows[0].at.getTime()).toBe(at.getTime());
    expect(rows[0].same).toBe(true);
  });

  it('counts 0 rows for an INSERT … ON CONFLICT DO NOTHING that hits a duplicate', async () => {
    const t = await h.createTable('id int PRIMARY KEY, v text NOT NULL');

    const first = await h.db.query(`INSERT INTO ${t} VALUES (1, 'first') ON CONFLICT DO NOTHING`);
    const second = await h.db.query(`INSERT INTO ${t} VALUES (1, 'second') ON CONFLICT DO NOTHING`);

    expect([first.rowCount, second.rowCount]).toEqual([1, 0]);
    expect((await h.db.query(`SELECT v FROM ${t}`)).rows).toEqual([{ v: 'first' }]);
  });

  it('turns a syntax error into a rejected promise and stays usable', async () => {
    await expect(h.db.query('SELEC 1')).rejects.toMatchObject({ code: '42601' });
    await expect(h.db.transaction((tx) => tx.query('SELECT FROM WHERE'))).rejects.toMatchObject({ code: '42601' });

    expect((await h.db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });
});
