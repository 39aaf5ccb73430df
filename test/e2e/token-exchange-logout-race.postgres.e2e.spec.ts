import { decodeJwt } from 'jose';
import { DATABASE, type Database } from '../../src/storage/database.js';
import { postgresEngines, type Scratch } from '../support/database-engines.js';
import { holding, waitingForLocks } from '../support/lock-races.js';
import { loginTokens } from '../support/login-flow.js';
import { expectOAuthError } from '../support/oauth-error.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { ACCESS_TOKEN, EXCHANGE, PORTAL_HEADERS } from '../support/token-exchange-server.js';
import { postForm } from '../support/token-requests.js';

const REFRESH = 'urn:ietf:params:oauth:token-type:refresh_token';

/**
 * A token exchange that opens a delegated session (a refresh token for the portal) while the subject's
 * session ends: the end under way is waited for and then seen, so no delegated session is left behind
 * live, without its LOGOUT and its back-channel logout, under a session that ended. On PostgreSQL,
 * the only engine that runs the two at once.
 */
for (const engine of postgresEngines) {
  describe(`a delegated session opened while its subject's session ends, on ${engine.name}`, () => {
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

    it('waits for the end to commit, then refuses the exchange: no session is delegated from one that ended', async () => {
      const patient = await loginTokens(server.baseUrl, 'nemlogin', 'alice');
      const sid = decodeJwt(patient.access_token).sid as string;
      const end = await holding(db, (tx) => tx.query("UPDATE sessions SET ended_at = now(), end_reason = 'logout' WHERE id = $1", [sid]));
      const exchange = postForm(
        `${server.baseUrl}/realms/nemlogin/protocol/openid-connect/token`,
        new URLSearchParams({
          grant_type: EXCHANGE,
          subject_token: patient.access_token,
          subject_token_type: ACCESS_TOKEN,
          audience: 'xis',
          requested_token_type: REFRESH,
        }),
        PORTAL_HEADERS,
      );
      await waitingForLocks(db, 1);
      await end.release();
      expectOAuthError(await exchange, 400, 'invalid_request');
      const { rows } = await db.query('SELECT id FROM sessions WHERE parent_id = $1', [sid]);
      expect(rows).toEqual([]);
    });
  });
}
