import { engines, type Engine, type Scratch } from '../../test/support/database-engines.js';
import { databaseReadiness, type Database } from './database.js';

/**
 * A database that refuses writes. PGlite is one session: a SET holds for all it runs after. On
 * PostgreSQL, as a standby or a read-only role would: every new connection of the database starts
 * read-only.
 */
async function readOnlyHandle(engine: Engine, scratch: Scratch): Promise<Database> {
  const db = await scratch.connect();
  if (engine.name === 'pglite') {
    await db.query('SET default_transaction_read_only = on');
    return db;
  }
  await db.query(`DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET default_transaction_read_only = on', current_database()); END $$`);
  return scratch.connect();
}

for (const engine of engines) {
  describe(`database readiness (${engine.name})`, () => {
    let scratch: Scratch;
    beforeEach(async () => {
      scratch = await engine.createScratch();
    });
    afterEach(() => scratch.dispose());

    it('is ok for a database that takes writes', async () => {
      expect(await databaseReadiness(await scratch.connect())).toBe('ok');
    });

    it('is read-only for a database that refuses writes, as a standby does', async () => {
      const db = await readOnlyHandle(engine, scratch);
      await expect(db.query('CREATE TABLE t (x int)')).rejects.toMatchObject({ code: '25006' });
      expect(await databaseReadiness(db)).toBe('read-only');
    });
  });
}
