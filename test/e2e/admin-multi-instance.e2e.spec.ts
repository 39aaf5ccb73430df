import { decodeJwt, decodeProtectedHeader } from 'jose';
import { ACTIVE_KEY_CACHE_MS, KEY_PREPUBLICATION_MS } from '../../src/keys/signing-key.service.js';
import { adminCall, adminToken, clientToken } from '../support/admin-api.js';
import { engines } from '../support/database-engines.js';
import { adminInstancesForSuite, jwksKids } from '../support/admin-instances.js';
import { loginTokens, refresh } from '../support/login-flow.js';
import { expectOAuthError } from '../support/oauth-error.js';
import { TestClock } from '../support/test-clock.js';
import { TEST_SECRETS } from '../support/test-config.js';
import type { TestServer } from '../support/test-server.js';

/**
 * The admin API's actions reach every instance on the database (PostgreSQL when TEST_DATABASE_URL is
 * set; PGlite's single handle otherwise): a key rotated through one instance is in the other's JWKS at
 * once and signs on both from the instant the rotation set; a session ended on one is dead on the other. The clock is shared and moved by hand, so nothing waits.
 */
describe.each(engines)('admin API across two instances on one $name database', (engine) => {
  const clock = new TestClock();
  const servers = adminInstancesForSuite(engine, clock);
  let a: TestServer;
  let b: TestServer;
  beforeAll(() => ({ a, b } = servers));
  const signingKid = async (server: TestServer) =>
    decodeProtectedHeader(await clientToken(server.baseUrl, 'nemlogin', 'system', TEST_SECRETS.system)).kid;

  it('a key rotated through one instance is in the other’s JWKS at once, and both sign with it from the same instant', async () => {
    const oldKid = await signingKid(b);
    const rotated = await adminCall(a.baseUrl, 'POST', 'nemlogin/keys/rotate', await adminToken(a.baseUrl, 'nemlogin', 'operator'));
    expect(rotated.status).toBe(200);
    const newKid = rotated.body.kid as string;

    expect(await jwksKids(b)).toEqual([oldKid, newKid]);
    // b read its key before the rotation, and again after its cache period: neither makes it switch early.
    clock.advance(ACTIVE_KEY_CACHE_MS / 1000 + 1);
    expect([await signingKid(a), await signingKid(b)]).toEqual([oldKid, oldKid]);
    clock.advance(KEY_PREPUBLICATION_MS / 1000 - (ACTIVE_KEY_CACHE_MS / 1000 + 1) - 1);
    expect([await signingKid(a), await signingKid(b)]).toEqual([oldKid, oldKid]);
    clock.advance(1);
    expect([await signingKid(a), await signingKid(b)]).toEqual([newKid, newKid]);
    expect(await jwksKids(b)).toEqual([newKid, oldKid]);
  });

  it('of two rotations at once, through both instances, one wins and the other is refused', async () => {
    const [tokenA, tokenB] = [await adminToken(a.baseUrl, 'nemlogin', 'operator'), await adminToken(b.baseUrl, 'nemlogin', 'operator')];
    const [signing, ...retired] = await jwksKids(a);
    const answers = await Promise.all([
      adminCall(a.baseUrl, 'POST', 'nemlogin/keys/rotate', tokenA),
      adminCall(b.baseUrl, 'POST', 'nemlogin/keys/rotate', tokenB),
    ]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 400]);
    const winner = answers.find((answer) => answer.status === 200)!.body.kid as string;
    expect(await jwksKids(b)).toEqual([signing, winner, ...retired]);
    clock.advance(KEY_PREPUBLICATION_MS / 1000);
    expect([await signingKid(a), await signingKid(b)]).toEqual([winner, winner]);
  });

  it('a user logged out through one instance cannot refresh on the other', async () => {
    const tokens = await loginTokens(b.baseUrl, 'nemlogin', 'alice');
    const { sub } = decodeJwt(tokens.access_token) as { sub: string };
    const logout = await adminCall(a.baseUrl, 'POST', `nemlogin/users/${sub}/logout`, await adminToken(a.baseUrl, 'nemlogin', 'operator'));
    expect(logout.status).toBe(204);
    expectOAuthError(await refresh(b.baseUrl, 'nemlogin', tokens.refresh_token), 400, 'invalid_grant');
  });
});
