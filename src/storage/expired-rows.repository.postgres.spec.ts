import { postgresEngines } from '../../test/support/database-engines.js';
import { holding, waitingForLocks } from '../../test/support/lock-races.js';
import { migratedScratch } from '../../test/support/migrated-scratch.js';
import { ExpiredRowsRepository } from './expired-rows.repository.js';
import { PostgresDatabase } from './pg.database.js';

/** PostgreSQL alone: PGlite runs one statement at a time and has no statement timeout. */
for (const engine of postgresEngines) {
  describe('housekeeping on PostgreSQL', () => {
    const storage = migratedScratch(engine);

    it('gives a purge statement longer than a request’s statement timeout', async () => {
      const db = new PostgresDatabase(storage.scratch.url!, { statementTimeoutSeconds: 1 });
      try {
        await db.query(`INSERT INTO revoked_access_tokens (jti, realm, expires_at) VALUES ('expired', 'r', now() - interval '1 hour')`);
        // A request holds the expired row a while: longer than a request's statement may wait.
        const holder = await holding(storage.db, (tx) => tx.query(`SELECT 1 FROM revoked_access_tokens WHERE jti = 'expired' FOR UPDATE`));
        const purge = new ExpiredRowsRepository(db).purge(new Date(), new Date(0), new Date(0));
        await waitingForLocks(storage.db, 1);
        await new Promise((resolve) => setTimeout(resolve, 1500));
        await holder.release();
        expect((await purge).revoked_access_tokens).toBe(1);
        expect((await db.query(`SELECT 1 FROM revoked_access_tokens WHERE jti = 'expired'`)).rowCount).toBe(0);
      } finally {
        await db.close();
      }
    });
  });
}
