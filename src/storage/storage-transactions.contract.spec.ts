import type { Queryable } from './database.js';
import { engines } from '../../test/support/database-engines.js';
import { contractDatabaseForSuite } from '../../test/support/storage-contract.js';

/** The storage contract (storage.contract.spec.ts) on every available engine: transactions. */
describe.each(engines)('storage contract on $name', (engine) => {
  const h = contractDatabaseForSuite(engine);

  it('commits a transaction and returns its result', async () => {
    const t = await h.createTable('id int PRIMARY KEY');

    const result = await h.db.transaction(async (tx) => {
      await tx.query(`INSERT INTO ${t} VALUES (1)`);
      await tx.query(`INSERT INTO ${t} VALUES (2)`);
      return 'done';
    });

    expect(result).toBe('done');
    expect((await h.db.query(`SELECT id FROM ${t} ORDER BY id`)).rows).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('rolls a transaction back when it throws, and rethrows', async () => {
    const t = await h.createTable('id int PRIMARY KEY');
    const failure = new Error('abandon');

    const run = h.db.transaction(async (tx) => {
      await tx.query(`INSERT INTO ${t} VALUES (1)`);
      throw failure;
    });

    await expect(run).rejects.toBe(failure);
    expect((await h.db.query(`SELECT id FROM ${t}`)).rows).toEqual([]);
  });

  it('rejects a transaction whose failed statement was swallowed, keeping none of its writes', async () => {
    const t = await h.createTable('id int PRIMARY KEY');

    const run = h.db.transaction(async (tx) => {
      await tx.query(`INSERT INTO ${t} VALUES (1)`);
      await tx.query(`INSERT INTO ${t} VALUES (1)`).catch(() => undefined);
      return 'looks fine';
    });

    await expect(run).rejects.toThrow(/rolled back/);
    expect((await h.db.query(`SELECT id FROM ${t}`)).rows).toEqual([]);
  });

  it('refuses a transaction handle used after its transaction ended', async () => {
    let leaked: Queryable | undefined;
    await h.db.transaction(async (tx) => {
      leaked = tx;
    });

    await expect(leaked!.query('SELECT 1')).rejects.toThrow(/closed/);
  });

  it('runs concurrent transactions that each increment a counter without losing one', async () => {
    const t = await h.createTable('id int PRIMARY KEY, n int NOT NULL');
    const log = await h.createTable('tx int PRIMARY KEY');
    await h.db.query(`INSERT INTO ${t} VALUES (1, 0)`);

    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        h.db.transaction(async (tx) => {
          await tx.query(`UPDATE ${t} SET n = n + 1 WHERE id = 1`);
          await new Promise((resolve) => setTimeout(resolve, 1)); // hold the row lock across a tick
          await tx.query(`INSERT INTO ${log} VALUES ($1)`, [i]);
        }),
      ),
    );

    expect((await h.db.query(`SELECT n FROM ${t}`)).rows).toEqual([{ n: 20 }]);
    expect((await h.db.query(`SELECT count(*) FROM ${log}`)).rows).toEqual([{ count: '20' }]);
  });
});
