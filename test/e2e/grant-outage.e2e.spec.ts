import { decodeJwt } from 'jose';
import { ACTIVE_KEY_CACHE_MS } from '../../src/keys/signing-key.service.js';
import { DATABASE, DatabaseUnavailableError, type Database, type Queryable } from '../../src/storage/database.js';
import { loginTokens, mockLoginCode, refresh } from '../support/login-flow.js';
import { expectOAuthError } from '../support/oauth-error.js';
import { TestClock } from '../support/test-clock.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * A refresh or a code redemption that the database refuses, while the signing key is read (the key is
 * read again once a second, ACTIVE_KEY_CACHE_MS) or while the grant's event is written, is a retryable
 * 503 that changed nothing: the
 * rotation and its REFRESH_TOKEN, or the code's redemption and its CODE_TO_TOKEN, are not committed
 * without tokens that can leave, so the client's retry with the same refresh token or code is not
 * taken for a reuse (a LOGOUT by `reuse` and a session ended for nothing).
 */
describe('an outage during a grant', () => {
  const clock = new TestClock();
  let server: TestServer;
  let db: Database;
  let restore: () => void = () => {};

  beforeAll(async () => {
    server = await startTestServer({ overrides: { clock } });
    db = server.app.get<Database>(DATABASE);
  });
  afterEach(() => restore());
  afterAll(() => server.close());

  /** The key this instance signed with last must be read again at its next signing. */
  const keyCacheAgedOut = () => clock.advance(ACTIVE_KEY_CACHE_MS / 1000 + 1);
  /** From now until restored, every read of the signing keys fails as an unavailable database does. */
  const signingKeysUnavailable = () => {
    const query = db.query.bind(db);
    db.query = ((...args: Parameters<Database['query']>) => {
      const [statement] = args;
      const text = typeof statement === 'string' ? statement : (statement as { text: string }).text;
      if (/signing_keys/.test(text)) return Promise.reject(new DatabaseUnavailableError('57P01', true));
      return query(...args);
    }) as Database['query'];
    restore = () => {
      db.query = query;
    };
  };
  const eventsOf = async (sid: string) =>
    (
      await db.query<{ type: string; details: Record<string, unknown> }>(
        'SELECT type, details FROM audit_events WHERE session_id = $1 ORDER BY id',
        [sid],
      )
    ).rows.map((row) => [row.type, row.details.by]);

  /** From now until restored, every statement matching `pattern` in a transaction fails as an unavailable database's does. */
  const failingInTransactions = (pattern: RegExp) => {
    const transaction = db.transaction.bind(db);
    db.transaction = (<T>(fn: (tx: Queryable) => Promise<T>, options?: Parameters<Database['transaction']>[1]) =>
      transaction((tx) => {
        const failing: Queryable = {
          query: (statement, params) =>
            pattern.test(typeof statement === 'string' ? statement : statement.text)
              ? Promise.reject(new DatabaseUnavailableError('57P01', true))
              : tx.query(statement, params),
        };
        return fn(failing);
      }, options)) as Database['transaction'];
    restore = () => {
      db.transaction = transaction;
    };
  };

  /** A code redeemed during `outage`: 503; once it is over, the same code works, with one CODE_TO_TOKEN and no LOGOUT. */
  const codeRedeemedThrough = async (outage: () => void) => {
    const { callback, redeem } = await mockLoginCode(server.baseUrl, 'nemlogin', 'alice', 'openid');
    outage();
    expectOAuthError(await redeem(), 503, 'temporarily_unavailable');
    restore();
    expect((await redeem()).status).toBe(200);
    expect(await eventsOf(callback.searchParams.get('session_state')!)).toEqual([
      ['LOGIN', undefined],
      ['CODE_TO_TOKEN', undefined],
    ]);
  };

  describe('while the signing key is read', () => {
    it('a refresh: 503, then the same refresh token works; one REFRESH_TOKEN, no LOGOUT', async () => {
      const tokens = await loginTokens(server.baseUrl, 'nemlogin', 'alice');
      const { sid } = decodeJwt(tokens.access_token as string) as { sid: string };
      keyCacheAgedOut();
      signingKeysUnavailable();
      expectOAuthError(await refresh(server.baseUrl, 'nemlogin', tokens.refresh_token as string), 503, 'temporarily_unavailable');
      restore();
      expect((await refresh(server.baseUrl, 'nemlogin', tokens.refresh_token as string)).status).toBe(200);
      expect(await eventsOf(sid)).toEqual([
        ['LOGIN', undefined],
        ['CODE_TO_TOKEN', undefined],
        ['REFRESH_TOKEN', undefined],
      ]);
    });

    it('a code redemption: 503, then the same code works; one CODE_TO_TOKEN, no LOGOUT', async () => {
      // Before the login: its code lives a minute.
      keyCacheAgedOut();
      await codeRedeemedThrough(signingKeysUnavailable);
    });
  });

  /**
   * The code is spent in the transaction that records CODE_TO_TOKEN: when that transaction fails, the
   * code is still unspent, and the client's retry redeems it instead of being taken for a replay that
   * ends the session.
   */
  it('while a code redemption is recorded: 503, then the same code works; one CODE_TO_TOKEN, no LOGOUT', () =>
    codeRedeemedThrough(() => failingInTransactions(/INSERT INTO audit_events/)));
});
