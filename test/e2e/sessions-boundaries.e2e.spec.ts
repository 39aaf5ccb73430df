import { decodeJwt } from 'jose';
import { loginTokens, PUBLIC_CLIENT, refresh } from '../support/login-flow.js';
import { expectOAuthError } from '../support/oauth-error.js';
import { TestClock } from '../support/test-clock.js';
import { TEST_SECRETS } from '../support/test-config.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { basic, postForm } from '../support/token-requests.js';

const IDLE = 1800;
const MAX = 3 * IDLE;
const epoch = (date: Date) => Math.floor(date.getTime() / 1000);

/**
 * The edges of a session's life as a client meets them (README "Tokens, sessions and contexts"): the
 * instant a refresh token's `exp` and `refresh_expires_in` state is the instant the session ends,
 * idle or at its maximum, to the second; a token of another realm is nobody's reuse; and rotation
 * has no grace period (RFC 9700 §4.14.2): of concurrent refreshes with one token the losers' reuse
 * ends the session, the winner's new tokens with it.
 */
describe('sessions at their edges', () => {
  const clock = new TestClock(new Date('2026-11-22T08:00:00Z'));
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({
      overrides: { clock },
      patch: (raw) => {
        raw.realms[0].sessionIdle = IDLE;
        raw.realms[0].sessionMax = MAX;
        raw.realms[1].clients = [raw.realms[0].clients.find((c: { clientId: string }) => c.clientId === PUBLIC_CLIENT.clientId)];
      },
    });
  });
  afterAll(() => server.close());

  const login = () => loginTokens(server.baseUrl, 'nemlogin', 'alice');
  const introspect = async (token: string) =>
    (
      await postForm(`${server.baseUrl}/realms/nemlogin/protocol/openid-connect/token/introspect`, new URLSearchParams({ token }), {
        authorization: basic('system', TEST_SECRETS.system),
      })
    ).body.active;

  it('the idle end is the instant the refresh token states: good one second before it, over at it', async () => {
    const start = epoch(clock.now());
    const first = await login();
    expect(decodeJwt(first.refresh_token).exp).toBe(start + IDLE);
    expect(first.refresh_expires_in).toBe(IDLE);

    clock.advance(IDLE - 1);
    const kept = await refresh(server.baseUrl, 'nemlogin', first.refresh_token);
    expect(kept.status).toBe(200);
    expect(decodeJwt(kept.body.refresh_token as string).exp).toBe(start + 2 * IDLE - 1);

    clock.advance(IDLE);
    expectOAuthError(await refresh(server.baseUrl, 'nemlogin', kept.body.refresh_token as string), 400, 'invalid_grant');
    expect(await introspect(kept.body.access_token as string)).toBe(false);
  });

  it('near the maximum the refresh token states the maximum, and at it the session is over', async () => {
    const start = epoch(clock.now());
    let token = (await login()).refresh_token;
    let last: Record<string, unknown> = {};
    for (let elapsed = 0; elapsed + IDLE - 1 < MAX; elapsed += IDLE - 1) {
      clock.advance(IDLE - 1);
      const next = await refresh(server.baseUrl, 'nemlogin', token);
      expect(next.status).toBe(200);
      last = next.body;
      token = last.refresh_token as string;
    }
    const now = epoch(clock.now());
    expect(decodeJwt(token).exp).toBe(start + MAX);
    expect(last.refresh_expires_in).toBe(start + MAX - now);
    expect(decodeJwt(last.access_token as string).exp).toBeLessThanOrEqual(start + MAX);

    clock.advance(start + MAX - now);
    expectOAuthError(await refresh(server.baseUrl, 'nemlogin', token), 400, 'invalid_grant');
  });

  it('a refresh token of another realm is refused there as invalid, and is no reuse in its own', async () => {
    const tokens = await login();
    expectOAuthError(await refresh(server.baseUrl, 'ehealth', tokens.refresh_token), 400, 'invalid_grant');
    expect((await refresh(server.baseUrl, 'nemlogin', tokens.refresh_token)).status).toBe(200);
  });

  it('no grace period: the winner of concurrent refreshes with one token loses its new tokens to the losers’ reuse', async () => {
    const { refresh_token } = await login();
    const responses = await Promise.all([0, 1].map(() => refresh(server.baseUrl, 'nemlogin', refresh_token)));
    const winner = responses.find((response) => response.status === 200)!;
    expect(responses.map((response) => response.status).sort()).toEqual([200, 400]);
    expectOAuthError(await refresh(server.baseUrl, 'nemlogin', winner.body.refresh_token as string), 400, 'invalid_grant');
    expect(await introspect(winner.body.access_token as string)).toBe(false);
    const userinfo = await fetch(`${server.baseUrl}/realms/nemlogin/protocol/openid-connect/userinfo`, {
      headers: { authorization: `Bearer ${winner.body.access_token as string}` },
    });
    expect(userinfo.status).toBe(401);
  });
});
