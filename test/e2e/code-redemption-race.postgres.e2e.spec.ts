import { DATABASE, type Database } from '../../src/storage/database.js';
import { postgresEngines, type Scratch } from '../support/database-engines.js';
import { holding, waitingForLocks } from '../support/lock-races.js';
import { mockLoginCode } from '../support/login-flow.js';
import { expectOAuthError } from '../support/oauth-error.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * A code redeemed while its session ends (a logout, an administrator) gets tokens only if the
 * redemption commits first: it reads the session locked, so an end under way is waited for and then
 * seen. On PostgreSQL, the only engine that runs the two at once.
 */
for (const engine of postgresEngines) {
  describe(`a code redeemed while its session ends, on ${engine.name}`, () => {
    let scratch: Scratch;
    let server: TestServer;
    let db: Database;

    beforeAll(async () => {
      scratch = await engine.createScratch();
      server = await startTestServer({ overrides: { database: await scratch.connect() } });
      db = server.app.get<Database>(DATABASE);
    });
    afterAll(async () => {
      await server?.close();
      await scratch?.dispose();
    });

    it('waits for the end to commit, then refuses: no tokens from a session that ended before they were issued', async () => {
      const { callback, redeem } = await mockLoginCode(server.baseUrl, 'nemlogin', 'alice', 'openid');
      const sid = callback.searchParams.get('session_state')!;
      const end = await holding(db, (tx) => tx.query("UPDATE sessions SET ended_at = now(), end_reason = 'logout' WHERE id = $1", [sid]));
      const redemption = redeem();
      await waitingForLocks(db, 1);
      await end.release();
      expectOAuthError(await redemption, 400, 'invalid_grant');
      const { rows } = await db.query<{ type: string; error: string | null }>(
        'SELECT type, error FROM audit_events WHERE session_id = $1 ORDER BY id',
        [sid],
      );
      expect(rows).toEqual([
        { type: 'LOGIN', error: null },
        { type: 'CODE_TO_TOKEN_ERROR', error: 'session_expired' },
      ]);
    });
  });
}
