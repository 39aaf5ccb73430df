import { jest } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { createAccessVerifier, KeySetUnavailableError } from './resource-server.js';

const ISSUER = 'https://auth.example/realms/nemlogin';

/** An issuer's JWKS endpoint the test can take down, rotate and count requests to. */
class KeySetEndpoint {
  requests = 0;
  up = true;
  keys: JWK[] = [];
  /** Runs at each request: a test's clock moving on while the endpoint makes the verifier wait. */
  onRequest = () => {};
  private readonly server: Server = createServer((_request, response) => {
    this.requests++;
    this.onRequest();
    if (!this.up) return void response.writeHead(503).end('down');
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=60' });
    response.end(JSON.stringify({ keys: this.keys }));
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}/certs`;
  }
  close(): Promise<unknown> {
    return new Promise((resolve) => this.server.close(resolve));
  }
}

async function signingKey(kid: string): Promise<{ kid: string; privateKey: CryptoKey; jwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
}

/** A complete RFC 9068 access token, valid for an hour of the real clock. */
async function bearer(key: { kid: string; privateKey: CryptoKey }): Promise<{ authorization: string }> {
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({
    iss: ISSUER,
    aud: 'xis',
    sub: 's',
    client_id: 'portal',
    jti: `${Math.random()}`,
    iat: now,
    exp: now + 3600,
  })
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'at+jwt' })
    .sign(key.privateKey);
  return { authorization: `Bearer ${token}` };
}

const outcome = (promise: Promise<unknown>) =>
  promise.then(
    () => 'accepted',
    (error: unknown) => (error instanceof KeySetUnavailableError ? 'key set unavailable' : error),
  );

/**
 * How the verifier holds the issuer's JWKS (RFC 7517 §5), as a resource server needs it to: an outage
 * of the issuer's JWKS must not become an outage of every resource server once their copy ages.
 */
describe('resource-server key set', () => {
  const endpoint = new KeySetEndpoint();
  let jwksUri: string;
  /** Milliseconds the test has moved the clocks on. */
  let clock: number;
  /** A step of the wall clock alone (NTP), in milliseconds. */
  let wallStep: number;

  beforeAll(async () => {
    jwksUri = await endpoint.start();
  });
  afterAll(() => endpoint.close());
  beforeEach(() => {
    endpoint.requests = 0;
    endpoint.up = true;
    endpoint.onRequest = () => {};
    // Both clocks move together, whichever the key set reads; token expiry reads the real one.
    clock = 0;
    wallStep = 0;
    const [wall, monotonic] = [Date.now(), performance.now()];
    jest.spyOn(Date, 'now').mockImplementation(() => wall + wallStep + clock);
    jest.spyOn(performance, 'now').mockImplementation(() => monotonic + clock);
  });
  afterEach(() => jest.restoreAllMocks());

  it('keeps verifying with the key set it read while the issuer’s JWKS is down, however old that copy is', async () => {
    const key = await signingKey('k1');
    endpoint.keys = [key.jwk];
    const verify = createAccessVerifier({ issuer: ISSUER, audience: 'xis', requireTenant: false, jwksUri });
    expect(await outcome(verify(await bearer(key)))).toBe('accepted');

    endpoint.up = false;
    for (const minutes of [11, 30, 120]) {
      clock += minutes * 60_000;
      expect([minutes, await outcome(verify(await bearer(key)))]).toEqual([minutes, 'accepted']);
    }
  });

  it('asks a JWKS that is down at most once per back-off, however many requests come', async () => {
    const key = await signingKey('k1');
    endpoint.keys = [key.jwk];
    const verify = createAccessVerifier({ issuer: ISSUER, audience: 'xis', requireTenant: false, jwksUri });
    await verify(await bearer(key));
    endpoint.up = false;
    clock += 11 * 60_000;
    const before = endpoint.requests;
    const unknown = await signingKey('not-published');
    for (let i = 0; i < 10; i++) {
      await outcome(verify(await bearer(key)));
      await outcome(verify(await bearer(unknown)));
    }
    // One fetch of the stale set, and none more for the unknown kid while the last one failed just now.
    expect(endpoint.requests - before).toBeLessThanOrEqual(1);
  });

  it('counts the back-off from a failure, so a JWKS that fails only after longer (a timeout) is not asked by every request', async () => {
    const key = await signingKey('k1');
    const verify = createAccessVerifier({ issuer: ISSUER, audience: 'xis', requireTenant: false, jwksUri });
    endpoint.up = false;
    // Each fetch fails 6 s after it began, past the 5 s back-off: a JWKS that hangs until the deadline.
    endpoint.onRequest = () => (clock += 6_000);
    for (let i = 0; i < 5; i++) expect(await outcome(verify(await bearer(key)))).toBe('key set unavailable');
    expect(endpoint.requests).toBe(1);
  });

  it('a key that is neither held nor can be looked up is the issuer’s outage (503), not the token’s fault', async () => {
    const key = await signingKey('k1');
    endpoint.keys = [key.jwk];
    const verify = createAccessVerifier({ issuer: ISSUER, audience: 'xis', requireTenant: false, jwksUri });
    await verify(await bearer(key));
    endpoint.up = false;
    clock += 60_000;
    expect(await outcome(verify(await bearer(await signingKey('k2'))))).toBe('key set unavailable');
  });

  it('takes a rotated key on its first token, and refuses a kid the issuer does not publish (401)', async () => {
    const [old, rotated] = [await signingKey('k1'), await signingKey('k2')];
    endpoint.keys = [old.jwk];
    const verify = createAccessVerifier({ issuer: ISSUER, audience: 'xis', requireTenant: false, jwksUri });
    await verify(await bearer(old));
    endpoint.keys = [old.jwk, rotated.jwk];
    clock += 31_000;
    expect(await outcome(verify(await bearer(rotated)))).toBe('accepted');
    // Just fetched: an unknown kid is a bad token, not a reason to ask again.
    await expect(verify(await bearer(await signingKey('k3')))).rejects.toMatchObject({ status: 401, error: 'invalid_token' });
  });

  it('a wall clock stepped back does not hold off the lookup of a rotated key', async () => {
    const [old, rotated] = [await signingKey('k1'), await signingKey('k2')];
    endpoint.keys = [old.jwk];
    const verify = createAccessVerifier({ issuer: ISSUER, audience: 'xis', requireTenant: false, jwksUri });
    await verify(await bearer(old));
    endpoint.keys = [old.jwk, rotated.jwk];
    wallStep = -3_600_000;
    clock += 31_000;
    expect(await outcome(verify(await bearer(rotated)))).toBe('accepted');
  });

  it('a first fetch that fails is an outage, and the next request past the back-off fetches again', async () => {
    const key = await signingKey('k1');
    endpoint.keys = [key.jwk];
    endpoint.up = false;
    const verify = createAccessVerifier({ issuer: ISSUER, audience: 'xis', requireTenant: false, jwksUri });
    expect(await outcome(verify(await bearer(key)))).toBe('key set unavailable');
    endpoint.up = true;
    clock += 30_000;
    expect(await outcome(verify(await bearer(key)))).toBe('accepted');
  });
});
