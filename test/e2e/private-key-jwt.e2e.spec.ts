import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import * as oidc from 'openid-client';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { XIS_CLIENT_PRIVATE_JWK } from '../support/test-config.js';
import { postForm } from '../support/token-requests.js';
import { expectOAuthError } from '../support/oauth-error.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** `private_key_jwt` client authentication (RFC 7523 §2.2, §3) over real HTTP. */
describe('private_key_jwt client authentication', () => {
  let server: TestServer;
  let issuer: string;
  let tokenUrl: string;
  /** SMART App Launch 2.2 asks servers of client-confidential-asymmetric for RS384 and ES384. */
  const smartKeys: { alg: 'ES384' | 'RS384'; privateKey: CryptoKey }[] = [];

  beforeAll(async () => {
    const publicJwks: Record<string, unknown>[] = [];
    for (const alg of ['ES384', 'RS384'] as const) {
      const { publicKey, privateKey } = await generateKeyPair(alg);
      smartKeys.push({ alg, privateKey });
      publicJwks.push({ ...(await exportJWK(publicKey)), kid: `smart-${alg}`, alg });
    }
    server = await startTestServer({
      patch: (raw) =>
        raw.realms[0].clients.push({
          clientId: 'smart-backend',
          type: 'confidential',
          jwks: { keys: publicJwks },
          grantTypes: ['client_credentials'],
          scopes: ['portal'],
        }),
    });
    issuer = `${server.baseUrl}/realms/nemlogin`;
    tokenUrl = `${issuer}/protocol/openid-connect/token`;
  });
  afterAll(() => server.close());

  async function assertion(claims: JWTPayload = {}, header: Record<string, unknown> = {}): Promise<string> {
    const key = await importJWK(XIS_CLIENT_PRIVATE_JWK, 'ES256');
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ iss: 'xis', sub: 'xis', aud: tokenUrl, jti: randomUUID(), iat: now, exp: now + 60, ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: XIS_CLIENT_PRIVATE_JWK.kid, ...header })
      .sign(key);
  }

  const request = (clientAssertion: string, extra = '') =>
    postForm(
      tokenUrl,
      `grant_type=client_credentials&client_assertion_type=${encodeURIComponent(ASSERTION_TYPE)}&client_assertion=${clientAssertion}${extra}`,
    );

  it('authenticates openid-client with PrivateKeyJwt', async () => {
    const key = await importJWK(XIS_CLIENT_PRIVATE_JWK, 'ES256');
    const config = await oidc.discovery(
      new URL(issuer),
      'xis',
      undefined,
      oidc.PrivateKeyJwt({ key: key as oidc.CryptoKey, kid: XIS_CLIENT_PRIVATE_JWK.kid }),
      {
        execute: [oidc.allowInsecureRequests],
      },
    );
    const tokens = await oidc.clientCredentialsGrant(config);
    expect(tokens.scope).toBe('portal');
  });

  it('accepts ES384 and RS384 assertions, as SMART’s client-confidential-asymmetric asks', async () => {
    for (const { alg, privateKey } of smartKeys) {
      const now = Math.floor(Date.now() / 1000);
      const signed = await new SignJWT({ iss: 'smart-backend', sub: 'smart-backend', aud: tokenUrl, jti: randomUUID(), exp: now + 60 })
        .setProtectedHeader({ alg, kid: `smart-${alg}`, typ: 'JWT' })
        .sign(privateKey);
      const response = await request(signed);
      expect([alg, response.status]).toEqual([alg, 200]);
    }
  });

  it('accepts the issuer as audience as well as the token endpoint', async () => {
    expect((await request(await assertion({ aud: issuer }))).status).toBe(200);
    expect((await request(await assertion(), '&client_id=xis')).status).toBe(200);
  });

  it('accepts an iat a few seconds ahead, within the clock tolerance', async () => {
    expect((await request(await assertion({ iat: Math.floor(Date.now() / 1000) + 10 }))).status).toBe(200);
  });

  const refusals: [string, () => Promise<string>][] = [
    ['a malformed assertion', async () => 'not.a.jwt'],
    ['garbage', async () => 'garbage'],
    ['a wrong audience', () => assertion({ aud: 'https://elsewhere.example/token' })],
    ['an expired assertion', () => assertion({ exp: Math.floor(Date.now() / 1000) - 120 })],
    ['an assertion without exp', () => assertion({ exp: undefined })],
    ['an assertion without jti', () => assertion({ jti: undefined })],
    ['a jti with a NUL byte (refused before the database)', () => assertion({ jti: 'a\u0000b' })],
    ['a jti longer than any id', () => assertion({ jti: 'x'.repeat(257) })],
    ['a jti that is not a string', () => assertion({ jti: 42 as unknown as string })],
    ['an assertion that lives too long', () => assertion({ exp: Math.floor(Date.now() / 1000) + 3600 })],
    [
      'an assertion issued two minutes from now',
      () => assertion({ iat: Math.floor(Date.now() / 1000) + 120, exp: Math.floor(Date.now() / 1000) + 180 }),
    ],
    ['a subject other than the client', () => assertion({ sub: 'someone-else' })],
    ['an unknown issuing client', () => assertion({ iss: 'nobody', sub: 'nobody' })],
    // SMART App Launch 2.2: a jku that is not the client's registered JWK Set URL fails, and no client registers one.
    ['a registered key with a jku header', () => assertion({}, { jku: 'https://attacker.example/jwks.json' })],
    ['a client that registered no keys', () => assertion({ iss: 'system', sub: 'system' })],
    [
      'alg none',
      async () => {
        const encode = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
        const now = Math.floor(Date.now() / 1000);
        return `${encode({ alg: 'none' })}.${encode({ iss: 'xis', sub: 'xis', aud: tokenUrl, jti: randomUUID(), exp: now + 60 })}.`;
      },
    ],
    [
      'HS256 keyed with the public key',
      async () => {
        const { kty: _k, d: _d, ...publicJwk } = XIS_CLIENT_PRIVATE_JWK;
        const now = Math.floor(Date.now() / 1000);
        return new SignJWT({ iss: 'xis', sub: 'xis', aud: tokenUrl, jti: randomUUID(), exp: now + 60 })
          .setProtectedHeader({ alg: 'HS256' })
          .sign(new TextEncoder().encode(JSON.stringify(publicJwk)));
      },
    ],
    [
      'a key the client never registered',
      async () => {
        const { privateKey } = await generateKeyPair('ES256');
        const now = Math.floor(Date.now() / 1000);
        return new SignJWT({ iss: 'xis', sub: 'xis', aud: tokenUrl, jti: randomUUID(), exp: now + 60 })
          .setProtectedHeader({ alg: 'ES256', kid: XIS_CLIENT_PRIVATE_JWK.kid })
          .sign(privateKey);
      },
    ],
  ];

  it.each(refusals)('refuses %s with 401 invalid_client', async (_name, make) => {
    const response = await request(await make());
    expect(response.status).toBe(401);
    expectOAuthError(response, 401, 'invalid_client');
  });

  it('refuses a replayed jti, also when the replay is concurrent', async () => {
    const once = await assertion();
    expect((await request(once)).status).toBe(200);
    const replay = await request(once);
    expect(replay.status).toBe(401);
    expectOAuthError(replay, 401, 'invalid_client');

    const twice = await assertion();
    const statuses = (await Promise.all(Array.from({ length: 10 }, () => request(twice)))).map((r) => r.status).sort();
    expect(statuses).toEqual([200, ...Array(9).fill(401)]);
  });

  it('refuses a client_id that differs from the assertion', async () => {
    const response = await request(await assertion(), '&client_id=portal');
    expect(response.status).toBe(401);
  });

  it('refuses an unknown client_assertion_type', async () => {
    const response = await postForm(
      tokenUrl,
      `grant_type=client_credentials&client_assertion_type=urn%3Afoo&client_assertion=${await assertion()}`,
    );
    expectOAuthError(response, 401, 'invalid_client');
  });
});
