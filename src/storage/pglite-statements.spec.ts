import { PGlite } from '@electric-sql/pglite';
import { PgliteDatabase } from './pglite.database.js';
import { MAX_PARAMETERS_PREPARED, PgliteStatements } from './pglite-statements.js';

/** What PostgreSQL itself holds prepared in PGlite's one session. */
async function preparedInSession(db: PGlite): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>('SELECT name FROM pg_prepared_statements ORDER BY name');
  return rows.map((row) => row.name);
}

describe('PgliteStatements', () => {
  let db: PGlite;
  beforeAll(async () => {
    db = await PGlite.create();
    await db.exec('CREATE TABLE t (id int PRIMARY KEY, at timestamptz, doc jsonb, tags text[], flag boolean)');
  });
  afterAll(() => db.close());

  it('writes each value by its parameter type and reads rows back as query() does', async () => {
    const statements = new PgliteStatements(db);
    const at = new Date('2030-01-01T10:00:00.123Z');
    const insert = 'INSERT INTO t VALUES ($1, $2, $3, $4, $5) RETURNING *';
    const prepared = await statements.run(insert, [1, at, { a: ['é', 1] }, ['x', 'y,z'], true], true);
    expect(prepared.rows).toEqual([{ id: 1, at, doc: { a: ['é', 1] }, tags: ['x', 'y,z'], flag: true }]);
    expect(prepared.affectedRows).toBe(1);
    const nulls = await statements.run(insert, [2, null, undefined, null, null], true);
    expect(nulls.rows).toEqual([{ id: 2, at: null, doc: null, tags: null, flag: null }]);
    const select = 'SELECT * FROM t WHERE id = ANY($1) ORDER BY id';
    expect((await statements.run(select, [[1, 2]], true)).rows).toEqual((await db.query(select, [[1, 2]])).rows);
  });

  it('reads later runs by the description kept at preparation, and a statement without rows as no rows', async () => {
    const statements = new PgliteStatements(db);
    await db.exec(`INSERT INTO t (id, flag) VALUES (10, false), (11, false)`);
    const update = 'UPDATE t SET flag = $2 WHERE id = $1';
    for (const id of [10, 11]) expect(await statements.run(update, [id, true], true)).toMatchObject({ rows: [], affectedRows: 1 });
    const select = 'SELECT id AS "renamed", flag FROM t WHERE id >= $1 AND id <= $2 ORDER BY id';
    await statements.run(select, [10, 10], true);
    const later = await statements.run(select, [10, 11], true);
    expect(later.rows).toEqual([
      { renamed: 10, flag: true },
      { renamed: 11, flag: true },
    ]);
    expect(later.fields.map((field) => field.name)).toEqual(['renamed', 'flag']);
  });

  it('reads an answer larger than PGlite hands over at once (8 KB pieces, rows split between them)', async () => {
    const statements = new PgliteStatements(db);
    const select = "SELECT n, repeat('é', n % 300) AS pad FROM generate_series(1, $1::int) n";
    const { rows } = await statements.run<{ n: number; pad: string }>(select, [3000], true);
    expect(rows).toHaveLength(3000);
    expect(rows).toEqual((await db.query(select, [3000])).rows);
  });

  it('prepares a text once and keeps at most its limit, closing the least recently used', async () => {
    const statements = new PgliteStatements(db, 3);
    const before = (await preparedInSession(db)).length;
    const texts = [1, 2, 3, 4].map((n) => `SELECT $1::int + ${n} AS sum`);
    for (const text of [texts[0]!, texts[1]!, texts[0]!, texts[2]!]) await statements.run(text, [1], true);
    expect(statements.size).toBe(3);
    expect((await preparedInSession(db)).length).toBe(before + 3);
    // texts[1] is the least recently used: the fourth text takes its place, in this class and in PostgreSQL.
    expect((await statements.run(texts[3]!, [1], true)).rows).toEqual([{ sum: 5 }]);
    expect(statements.size).toBe(3);
    expect((await preparedInSession(db)).length).toBe(before + 3);
    expect((await statements.run(texts[1]!, [1], true)).rows).toEqual([{ sum: 3 }]);
  });

  it('prepares a text again after a change of its table made the prepared one stale', async () => {
    const statements = new PgliteStatements(db);
    await db.exec('CREATE TABLE widening (id int)');
    const select = 'SELECT * FROM widening WHERE id = $1';
    await statements.run(select, [1], true);
    await db.exec('ALTER TABLE widening ADD COLUMN name text');
    await db.exec(`INSERT INTO widening VALUES (1, 'wide')`);
    // PostgreSQL refuses the stale statement once; the next run prepares the text anew.
    const before = await preparedInSession(db);
    await expect(statements.run(select, [1], true)).rejects.toThrow('cached plan must not change result type');
    expect((await statements.run(select, [1], true)).rows).toEqual([{ id: 1, name: 'wide' }]);
    // …and closes the stale one in the session: one statement for the text, as before.
    const after = await preparedInSession(db);
    expect(after).toHaveLength(before.length);
    expect(after.filter((name) => !before.includes(name))).toHaveLength(1);
  });

  it('keeps nothing for a text PostgreSQL refuses, and stays usable after a refused value', async () => {
    const statements = new PgliteStatements(db);
    await expect(statements.run('SELEC $1', [1], true)).rejects.toThrow('syntax error');
    expect(statements.size).toBe(0);
    await expect(statements.run('SELECT $1::int AS n', ['not a number'], true)).rejects.toThrow('invalid input syntax');
    expect((await statements.run('SELECT $1::int AS n', [7], true)).rows).toEqual([{ n: 7 }]);
  });
});

describe('PgliteDatabase with prepared statements', () => {
  let db: PgliteDatabase;
  beforeAll(async () => {
    db = await PgliteDatabase.open('memory://');
    await db.query('CREATE TABLE u (id int PRIMARY KEY, name text)');
  });
  afterAll(() => db.close());

  it('keeps a statement first prepared inside a transaction that rolled back', async () => {
    const insert = 'INSERT INTO u VALUES ($1, $2)';
    await expect(
      db.transaction(async (tx) => {
        await tx.query(insert, [1, 'rolled back']);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    await db.query(insert, [1, 'kept']);
    expect((await db.query('SELECT name FROM u WHERE id = $1', [1])).rows).toEqual([{ name: 'kept' }]);
  });

  it('leaves a statement with very many parameters unprepared', async () => {
    const many = Array.from({ length: MAX_PARAMETERS_PREPARED + 1 }, (_, i) => i);
    const text = `SELECT ${many.map((i) => `$${i + 1}::int`).join(' + ')} AS total`;
    const expected = (many.length * (many.length - 1)) / 2;
    expect((await db.query(text, many)).rows).toEqual([{ total: expected }]);
    await db.transaction(async (tx) => expect((await tx.query(text, many)).rows).toEqual([{ total: expected }]));
    const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM pg_prepared_statements WHERE statement = $1', [text]);
    expect(rows).toEqual([{ n: '0' }]);
  });

  it('refuses a query on a transaction handle after the transaction is over', async () => {
    let late: { query: (sql: string, params: unknown[]) => Promise<unknown> } | undefined;
    await db.transaction(async (tx) => {
      late = tx;
    });
    await expect(late!.query('SELECT $1::int', [1])).rejects.toThrow('Transaction is closed');
  });

  it('runs queries issued all at once beside a transaction without interleaving them into it', async () => {
    const outside = Array.from({ length: 20 }, (_, i) => db.query('INSERT INTO u VALUES ($1, $2)', [100 + i, 'outside']));
    const inside = db.transaction(async (tx) => {
      await tx.query('INSERT INTO u VALUES ($1, $2)', [200, 'inside']);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const { rows } = await tx.query<{ n: string }>('SELECT count(*) AS n FROM u WHERE name = $1', ['outside']);
      throw new Error(`saw ${rows[0]!.n}`);
    });
    const seen = await inside.catch((error: Error) => error.message);
    await Promise.all(outside);
    // Whatever the order, the transaction saw a whole number of the outside inserts, and its own row is gone.
    expect(seen).toMatch(/^saw (0|20)$/);
    expect((await db.query('SELECT count(*) AS n FROM u WHERE id = $1', [200])).rows).toEqual([{ n: '0' }]);
    expect((await db.query('SELECT count(*) AS n FROM u WHERE name = $1', ['outside'])).rows).toEqual([{ n: '20' }]);
  });
});

describe('PgliteDatabase once closed', () => {
  it('refuses a parameterised query as PGlite refuses its own', async () => {
    const db = await PgliteDatabase.open('memory://');
    await db.close();
    await expect(db.query('SELECT $1::int', [1])).rejects.toThrow('PGlite is closed');
  });
});
