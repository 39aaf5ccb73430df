import { createHash } from 'node:crypto';
import { jest } from '@jest/globals';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { KEY_PREPUBLICATION_MS, SigningKeyService } from '../../src/keys/signing-key.service.js';
import { RealmRegistry } from '../../src/realms/realm.registry.js';
import type { Database } from '../../src/storage/database.js';
import { SigningKeyRepository } from '../../src/storage/signing-key.repository.js';
import { openDatabase } from '../../src/storage/database.factory.js';
import { adminCall, adminToken, withAdminClients } from '../support/admin-api.js';
import { BackchannelReceiver } from '../support/backchannel-receiver.js';
import { engines } from '../support/database-engines.js';
import { loginTokens, PUBLIC_CLIENT, refresh } from '../support/login-flow.js';
import { loginAsMockUser } from '../support/mock-login.js';
import { TestClock } from '../support/test-clock.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/** `nemlogin` signs with ES256; its patient app asks for RS256 ID tokens, and gets back-channel logouts. */
const rs256PatientApp = (receiver: BackchannelReceiver) => (raw: Record<string, any>) => {
  raw.backchannelLogout = { intervalMs: 100, initialBackoffSeconds: 10 };
  const app = raw.realms[0].clients.find((c: { clientId: string }) => c.clientId === PUBLIC_CLIENT.clientId);
  Object.assign(app, { idTokenSignedResponseAlg: 'RS256', backchannelLogoutUri: receiver.url });
  withAdminClients(raw.realms[0]);
};

/**
 * A client whose library expects RS256 ID tokens (OIDC Core §3.1.3.7 item 7: "the default, if
 * omitted, is RS256"; Spring Security's default) in a realm that signs with ES256: with
 * `idTokenSignedResponseAlg` it gets them (OIDC Dynamic Client Registration 1.0 §2), and its logout
 * tokens in the same algorithm (OIDC Back-Channel Logout 1.0 §2.4). Its access tokens, which resource
 * servers verify, keep the realm's algorithm; so do every other client's tokens.
 */
describe('a client’s own ID token algorithm', () => {
  const clock = new TestClock();
  let db: Database;
  let receiver: BackchannelReceiver;
  let server: TestServer;
  let issuer: string;

  beforeAll(async () => {
    db = await openDatabase({ url: '', dataDir: 'memory://' });
    receiver = await BackchannelReceiver.create();
    server = await startTestServer({ overrides: { database: db, clock }, patch: rs256PatientApp(receiver) });
    issuer = `${server.baseUrl}/realms/nemlogin`;
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
    await db?.close();
  });

  const jwks = () => createRemoteJWKSet(new URL(`${issuer}/protocol/openid-connect/certs`));
  const verify = (token: string, algorithms: string[], typ: string) =>
    jwtVerify(token, jwks(), { issuer, algorithms, typ, currentDate: clock.now() });
  const published = async () =>
    ((await (await fetch(`${issuer}/protocol/openid-connect/certs`)).json()) as { keys: { kid: string; alg: string }[] }).keys;

  it('announces both algorithms for ID tokens, the realm’s alone for access tokens, and publishes a key of each', async () => {
    const metadata = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    // The realm's own first, its clients' next, then the rest a client may be configured for.
    expect(metadata.id_token_signing_alg_values_supported).toEqual(['ES256', 'RS256', 'PS256', 'EdDSA']);
    expect(metadata.access_token_signing_alg_values_supported).toEqual(['ES256']);
    expect((await published()).map((key) => key.alg).sort()).toEqual(['ES256', 'RS256']);
    // The key of the realm's access tokens first, for a verifier that takes the first key it is given.
    expect((await published())[0]!.alg).toBe('ES256');
  });

  it('openid-client, told to expect RS256, redeems the code and validates the RS256 ID token; the access token stays ES256', async () => {
    const client = await oidc.discovery(new URL(issuer), PUBLIC_CLIENT.clientId, { id_token_signed_response_alg: 'RS256' }, oidc.None(), {
      execute: [oidc.allowInsecureRequests],
    });
    const verifier = oidc.randomPKCECodeVerifier();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(client, {
      redirect_uri: PUBLIC_CLIENT.redirectUri,
      scope: 'openid profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      nonce,
    });
    const tokens = await oidc.authorizationCodeGrant(client, await loginAsMockUser(url.href, 'alice'), {
      pkceCodeVerifier: verifier,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    expect(decodeProtectedHeader(tokens.id_token!)).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    expect(tokens.claims()).toMatchObject({ aud: PUBLIC_CLIENT.clientId, nonce });
    expect(decodeProtectedHeader(tokens.access_token)).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    await expect(verify(tokens.access_token, ['ES256'], 'at+jwt')).resolves.toBeDefined();
  });

  it('signs the ID token of a refresh in RS256 too, with at_hash of its SHA-256 (OIDC Core §3.1.3.6)', async () => {
    const tokens = await loginTokens(server.baseUrl, 'nemlogin', 'alice');
    const refreshed = await refresh(server.baseUrl, 'nemlogin', tokens.refresh_token);
    expect(refreshed.status).toBe(200);
    const idToken = refreshed.body.id_token as string;
    const { payload } = await verify(idToken, ['RS256'], 'JWT');
    const accessToken = refreshed.body.access_token as string;
    const digest = createHash('sha256').update(accessToken).digest();
    expect(payload.at_hash).toBe(digest.subarray(0, 16).toString('base64url'));
  });

  it('takes its RS256 ID token as id_token_hint, and sends its logout token in RS256', async () => {
    const tokens = await loginTokens(server.baseUrl, 'nemlogin', 'alice');
    const logout = await fetch(`${issuer}/protocol/openid-connect/logout?${new URLSearchParams({ id_token_hint: tokens.id_token })}`, {
      redirect: 'manual',
    });
    expect(logout.status).toBe(200);
    const logoutToken = await receiver.tokenFor(decodeJwt(tokens.access_token).sid as string);
    await expect(verify(logoutToken, ['RS256'], 'logout+jwt')).resolves.toBeDefined();
  });

  it('rotates the key of the algorithm asked for only, and refuses one the realm does not sign with', async () => {
    const token = await adminToken(server.baseUrl, 'nemlogin', 'operator');
    const before = await published();
    const rotated = await adminCall(server.baseUrl, 'POST', 'nemlogin/keys/rotate?algorithm=RS256', token);
    expect(rotated).toMatchObject({ status: 200, body: { algorithm: 'RS256', kid: expect.any(String) } });
    const after = await published();
    expect(after.map((key) => key.kid)).toEqual(expect.arrayContaining([...before.map((key) => key.kid), rotated.body.kid]));
    expect(after).toHaveLength(3);
    clock.advance(KEY_PREPUBLICATION_MS / 1000);
    const tokens = await loginTokens(server.baseUrl, 'nemlogin', 'alice');
    expect(decodeProtectedHeader(tokens.id_token).kid).toBe(rotated.body.kid);
    expect(decodeProtectedHeader(tokens.access_token).kid).toBe(before.find((key) => key.alg === 'ES256')!.kid);
    // The newest signing key is the client's RS256 one; the access tokens' key is still published first.
    expect((await published())[0]!.kid).toBe(decodeProtectedHeader(tokens.access_token).kid);

    const refused = await adminCall(server.baseUrl, 'POST', 'nemlogin/keys/rotate?algorithm=PS256', token);
    expect(refused).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect(await published()).toHaveLength(3);
  });

  it('replaces its RS256 key when an instance that does not sign with it retired it (a rolling deploy)', async () => {
    const retired = (await published()).find((key) => key.alg === 'RS256')!.kid;
    // What an instance of the previous config does at its start: publish it for the realm's longest token and leeway.
    const now = clock.now();
    await server.app.get(SigningKeyRepository).retireUnused('nemlogin', ['ES256'], now, new Date(now.getTime() + (1800 + 120) * 1000));
    clock.advance(61); // past ACTIVE_KEY_CACHE_MS: this instance looks for its active key again
    // Requests that find the key gone together make one new key between them, not one each.
    const install = jest.spyOn(SigningKeyRepository.prototype, 'replaceActive');
    const keys = server.app.get(SigningKeyService);
    const realm = server.app.get(RealmRegistry).get('nemlogin');
    const found = await Promise.all(Array.from({ length: 8 }, () => keys.activeKey(realm, 'RS256')));
    expect(install).toHaveBeenCalledTimes(1);
    install.mockRestore();
    expect(new Set(found.map((key) => key.kid)).size).toBe(1);

    const tokens = await loginTokens(server.baseUrl, 'nemlogin', 'alice');
    const { kid, alg } = decodeProtectedHeader(tokens.id_token);
    expect(alg).toBe('RS256');
    expect(kid).not.toBe(retired);
    expect(kid).toBe(found[0]!.kid);
    await expect(verify(tokens.id_token, ['RS256'], 'JWT')).resolves.toBeDefined();
    expect((await published()).map((key) => key.kid)).toEqual(expect.arrayContaining([kid, retired]));
  });

  it('retires the RS256 key when a restart no longer asks for it, publishing it until its tokens have expired', async () => {
    const rsa = (await published()).filter((key) => key.alg === 'RS256').map((key) => key.kid);
    await server.close();
    server = await startTestServer({ overrides: { database: db, clock }, patch: (raw) => withAdminClients(raw.realms[0]) });
    issuer = `${server.baseUrl}/realms/nemlogin`;
    const metadata = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    // Still listed (Discovery §3: RS256 MUST be), though no client uses it and its key is retired.
    expect(metadata.id_token_signing_alg_values_supported).toEqual(['ES256', 'RS256', 'PS256', 'EdDSA']);
    const tokens = await loginTokens(server.baseUrl, 'nemlogin', 'alice');
    expect(decodeProtectedHeader(tokens.id_token).alg).toBe('ES256');
    expect((await published()).map((key) => key.kid)).toEqual(expect.arrayContaining(rsa));
    // The realm's longest token is its 1800 s refresh token; the window adds cache and clock leeway.
    clock.advance(1800 + 121);
    expect((await published()).map((key) => key.alg)).toEqual(['ES256']);
  });
});

describe.each(engines)('a client’s own ID token algorithm, with two instances starting together on $name', (engine) => {
  it('installs one key of each algorithm per realm', async () => {
    const scratch = await engine.createScratch();
    const receiver = await BackchannelReceiver.create();
    const databases = [await scratch.connect(), await scratch.connect()];
    const starts = await Promise.allSettled(
      databases.map((database) => startTestServer({ overrides: { database }, patch: rs256PatientApp(receiver) })),
    );
    try {
      for (const start of starts) if (start.status === 'rejected') throw start.reason;
      const { rows } = await databases[0]!.query<{ alg: string; n: number }>(
        "SELECT alg, count(*)::int AS n FROM signing_keys WHERE realm = 'nemlogin' GROUP BY alg ORDER BY alg",
      );
      expect(rows).toEqual([
        { alg: 'ES256', n: 1 },
        { alg: 'RS256', n: 1 },
      ]);
    } finally {
      for (const start of starts) if (start.status === 'fulfilled') await start.value.close();
      await receiver.close();
      await scratch.dispose();
    }
  });
});
