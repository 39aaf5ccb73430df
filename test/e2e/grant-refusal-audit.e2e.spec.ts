import { decodeJwt } from 'jose';
import { openDatabase } from '../../src/storage/database.factory.js';
import type { Database } from '../../src/storage/database.js';
import { loginTokens, refresh } from '../support/login-flow.js';
import { expectOAuthError } from '../support/oauth-error.js';
import { eventuallyRefusalEvents, refusalEvents } from '../support/refusal-events.js';
import { TestClock } from '../support/test-clock.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { basic, postForm } from '../support/token-requests.js';

/**
 * What a flood of made-up grants leaves in the audit trail. A public client names itself with its
 * `client_id` alone, so anyone can send refresh tokens and codes in its name; each refusal was a row,
 * unbounded. Now the refused grants of an address share its `limits.tokenRefusalAudit` with its
 * refused client authentications: that many one by one per window, the rest counted in one summary
 * per realm and address. Every refusal is still answered as RFC 6749 §5.2 asks, and what a refusal
 * changed keeps its own event: the session a reused refresh token ends gets its LOGOUT.
 */
describe('the audit trail of refused grants, bounded', () => {
  const clock = new TestClock();
  let db: Database;
  let server: TestServer;
  let tokenUrl: string;

  beforeAll(async () => {
    db = await openDatabase({ url: '', dataDir: 'memory://' });
    server = await startTestServer({ overrides: { database: db, clock } });
    tokenUrl = `${server.baseUrl}/realms/nemlogin/protocol/openid-connect/token`;
  });
  afterAll(async () => {
    await server.close();
    await db.close();
  });

  const rows = (type: string, error?: string) => refusalEvents(db, { type, error });
  const successes = async (type: string) =>
    (await db.query("SELECT 1 FROM audit_events WHERE type = $1 AND outcome = 'success'", [type])).rows.length;
  const madeUpRefresh = async () =>
    expectOAuthError(
      await postForm(tokenUrl, 'grant_type=refresh_token&client_id=patient-app&refresh_token=e30.e30.AAAA'),
      400,
      'invalid_grant',
    );
  const madeUpCode = async () =>
    expectOAuthError(
      await postForm(
        tokenUrl,
        new URLSearchParams({
          grant_type: 'authorization_code',
          client_id: 'patient-app',
          code: 'made-up',
          redirect_uri: 'http://127.0.0.1/callback',
          code_verifier: 'a'.repeat(43),
        }),
      ),
      400,
      'invalid_grant',
    );

  it("answers 70 made-up refresh tokens and 20 codes in a public client's name, recording only the share of 60 that 10 wrong secrets began", async () => {
    for (let i = 0; i < 10; i++) {
      expectOAuthError(
        await postForm(tokenUrl, 'grant_type=client_credentials', { authorization: basic('system', 'wrong') }),
        401,
        'invalid_client',
      );
    }
    for (let i = 0; i < 70; i++) await madeUpRefresh();
    for (let i = 0; i < 20; i++) await madeUpCode();
    expect(await rows('CLIENT_LOGIN_ERROR', 'invalid_client_credentials')).toHaveLength(10);
    const refused = await rows('REFRESH_TOKEN_ERROR');
    expect(refused).toHaveLength(50);
    expect(refused[0]).toMatchObject({ error: 'invalid_token', client_id: 'patient-app', ip_address: '127.0.0.1' });
    expect(await rows('CODE_TO_TOKEN_ERROR')).toEqual([]);
  });

  it('still serves a login and its refresh from the flooding address, and records both', async () => {
    const tokens = await loginTokens(server.baseUrl, 'nemlogin', 'alice');
    expect((await refresh(server.baseUrl, 'nemlogin', tokens.refresh_token)).status).toBe(200);
    expect(await successes('REFRESH_TOKEN')).toBe(1);
    expect(await successes('CODE_TO_TOKEN')).toBe(1);
  });

  it('ends the session of a reused refresh token with its LOGOUT though its refusal is only counted', async () => {
    const tokens = await loginTokens(server.baseUrl, 'nemlogin', 'alice');
    const { sid } = decodeJwt(tokens.access_token) as { sid: string };
    const rotated = await refresh(server.baseUrl, 'nemlogin', tokens.refresh_token);
    expect(rotated.status).toBe(200);
    expectOAuthError(await refresh(server.baseUrl, 'nemlogin', tokens.refresh_token), 400, 'invalid_grant');
    // The session is over: the token the reuse came after is refused too.
    expectOAuthError(await refresh(server.baseUrl, 'nemlogin', rotated.body.refresh_token as string), 400, 'invalid_grant');
    const logouts = (
      await db.query<{ details: Record<string, unknown> }>("SELECT details FROM audit_events WHERE type = 'LOGOUT' AND session_id = $1", [
        sid,
      ])
    ).rows;
    expect(logouts).toEqual([{ details: expect.objectContaining({ by: 'reuse' }) }]);
    expect(await rows('REFRESH_TOKEN_ERROR', 'refresh_token_reused')).toEqual([]);
  });

  it('records what it did not as one summary for the address once the window has passed, whatever it tried', async () => {
    clock.advance(60);
    await madeUpRefresh();
    expect(await eventuallyRefusalEvents(db, { error: 'refusals_not_recorded' }, 1)).toEqual([
      {
        // The type most of them had: 20 made-up refresh tokens, the reuse and the refresh after it.
        type: 'REFRESH_TOKEN_ERROR',
        error: 'refusals_not_recorded',
        client_id: null,
        ip_address: '127.0.0.1',
        details: expect.objectContaining({
          refusals: 42,
          types: ['REFRESH_TOKEN_ERROR', 'CODE_TO_TOKEN_ERROR'],
          refresh_token_error: 22,
          code_to_token_error: 20,
          clients: ['patient-app'],
          window_seconds: 60,
        }),
      },
    ]);
    // The refusal after the window opened the next one, with a share of its own.
    expect(await rows('REFRESH_TOKEN_ERROR', 'invalid_token')).toHaveLength(51);
  });
});
