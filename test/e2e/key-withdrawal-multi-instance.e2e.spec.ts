import { decodeProtectedHeader } from 'jose';
import { ACTIVE_KEY_CACHE_MS } from '../../src/keys/signing-key.service.js';
import { adminCall, adminToken, clientToken } from '../support/admin-api.js';
import { engines } from '../support/database-engines.js';
import { adminInstancesForSuite, jwksKids } from '../support/admin-instances.js';
import { TestClock } from '../support/test-clock.js';
import { TEST_SECRETS } from '../support/test-config.js';
import type { TestServer } from '../support/test-server.js';
import { basic, postForm } from '../support/token-requests.js';

/**
 * A key withdrawn through one instance (PostgreSQL when TEST_DATABASE_URL is set; PGlite's single
 * handle otherwise): gone from the other's JWKS at once, since every JWKS request reads the database;
 * the other's signer and verifier, which hold the key they read, read again within ACTIVE_KEY_CACHE_MS.
 * The clock is shared and moved by hand, so nothing waits.
 */
describe.each(engines)('a key withdrawn across two instances on one $name database', (engine) => {
  const clock = new TestClock();
  const servers = adminInstancesForSuite(engine, clock);
  let a: TestServer;
  let b: TestServer;
  beforeAll(() => ({ a, b } = servers));
  const systemToken = (server: TestServer) => clientToken(server.baseUrl, 'nemlogin', 'system', TEST_SECRETS.system);
  const kidOf = (token: string) => decodeProtectedHeader(token).kid;
  const introspect = async (server: TestServer, token: string) =>
    (
      await postForm(`${server.baseUrl}/realms/nemlogin/protocol/openid-connect/token/introspect`, new URLSearchParams({ token }), {
        authorization: basic('system', TEST_SECRETS.system),
      })
    ).body;

  it('withdrawn through one: out of the other’s JWKS at once; the other signs with the new key and verifies nothing of the old within ACTIVE_KEY_CACHE_MS', async () => {
    // b has read the key to sign with, and to verify with (a signature it remembers, too).
    const old = await systemToken(b);
    expect(await introspect(b, old)).toMatchObject({ active: true });
    expect(await introspect(b, old)).toMatchObject({ active: true });
    const oldKid = kidOf(old);

    const withdrawn = await adminCall(
      a.baseUrl,
      'POST',
      `nemlogin/keys/${oldKid}/withdraw`,
      await adminToken(a.baseUrl, 'nemlogin', 'operator'),
    );
    expect(withdrawn.status).toBe(200);
    const newKid = withdrawn.body.signingKid as string;
    expect(newKid).not.toBe(oldKid);

    expect(await jwksKids(b)).toEqual([newKid]);
    expect(await jwksKids(a)).toEqual([newKid]);
    expect(kidOf(await systemToken(a))).toBe(newKid);
    expect(await introspect(a, old)).toEqual({ active: false });

    clock.advance(ACTIVE_KEY_CACHE_MS / 1000);
    const fromB = await systemToken(b);
    expect(kidOf(fromB)).toBe(newKid);
    expect(await introspect(b, old)).toEqual({ active: false });
    expect(await introspect(b, fromB)).toMatchObject({ active: true });
    expect(await introspect(a, fromB)).toMatchObject({ active: true });
  });
});
