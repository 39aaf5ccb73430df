import { afterAll, beforeAll } from '@jest/globals';
import type { Database } from '../../src/storage/database.js';
import { migrate } from '../../src/storage/migrator.js';
import type { Engine, Scratch } from './database-engines.js';

/**
 * A storage spec's database: registers, in the calling `describe`, a migrated scratch database of
 * `engine` before its tests and the scratch's disposal after them. Read `db` (and `scratch`, for a
 * second handle) in hooks and tests, not while the describe is being declared.
 */
export function migratedScratch(engine: Engine): { readonly db: Database; readonly scratch: Scratch } {
  let scratch: Scratch | undefined;
  let db: Database | undefined;
  beforeAll(async () => {
    scratch = await engine.createScratch();
    db = await scratch.connect();
    await migrate(db);
  });
  afterAll(() => scratch?.dispose());
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the scratch database is read before its beforeAll ran');
    return value;
  };
  return {
    get db() {
      return ready(db);
    },
    get scratch() {
      return ready(scratch);
    },
  };
}
