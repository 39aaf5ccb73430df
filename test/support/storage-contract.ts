import type { Database } from '../../src/storage/database.js';
import type { Engine, Scratch } from './database-engines.js';

/** A storage contract suite's scratch database on one engine. */
export interface ContractDatabase {
  db: Database;
  /** Every test writes to a table of its own, so tests sharing the database cannot see each other. */
  createTable(columns: string): Promise<string>;
}

/** A scratch database of `engine` for the calling `describe`: made before its specs, dropped after them. */
export function contractDatabaseForSuite(engine: Engine): ContractDatabase {
  let scratch: Scratch;
  let tableCount = 0;
  const suite: ContractDatabase = {
    db: undefined as unknown as Database,
    async createTable(columns) {
      const table = `contract_${++tableCount}`;
      await suite.db.query(`CREATE TABLE ${table} (${columns})`);
      return table;
    },
  };
  beforeAll(async () => {
    scratch = await engine.createScratch();
    suite.db = await scratch.connect();
  });
  afterAll(async () => {
    await scratch?.dispose();
  });
  return suite;
}
