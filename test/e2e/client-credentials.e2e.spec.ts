import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TEST_SECRETS, TEST_TENANTS } from '../support/test-config.js';
import { basic, postForm } from '../support/token-requests.js';
import { expectOAuthError } from '../support/oauth-error.js';
import { rawExchange } from '../support/raw-exchange.js';
import { DATABASE, type Database } from '../../src/storage/database.js';

/** RFC 6749 §4.4 over real HTTP: a confidential client gets an RFC 9068 access token for itself. */
describe('client_credentials grant', () => {
  let server: TestServer;
  let tokenUrl: string;
  let issuer: string;

  beforeAll(async () => {
    server = await startTestServer();
    issuer = `${server.baseUrl}/realms/nemlogin`;
    tokenUrl = `${issuer}/protocol/openid-connect/token`;
  });
  afterAll(() => server.close());

  const verify = (token: string) =>
    jwtVerify(token, createRemoteJWKSet(new URL(`${issuer}/protocol/openid-connect/certs`)), { issuer, typ: 'at+jwt' });

  it('serves discovery and a token to openid-client, which verifies against the published JWKS', async () => {
    const config = await oidc.discovery(new URL(issuer), 'system', undefined, oidc.ClientSecretBasic(TEST_SECRETS.system), {
      execute: [oidc.allowInsecureRequests],
    });
    expect(config.serverMetadata().token_endpoint).toBe(tokenUrl);

    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'system/*.read' });
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.expires_in).toBe(300);
    expect(tokens.refresh_token).toBeUndefined();

    const { payload, protectedHeader } = await verify(tokens.access_token);
    expect(protectedHeader).toMatchObject({ alg: 'ES256', typ: 'at+jwt', kid: expect.any(String) });
    expect(payload).toMatchObject({
      iss: issuer,
      sub: 'system',
      aud: issuer,
      client_id: 'system',
      // Keycloak's: its adapters check typ, read azp.
      typ: 'Bearer',
      azp: 'system',
      scope: 'system/*.read',
      user_type: 'SYSTEM',
      realm_access: { roles: ['system'] },
    });
    expect(payload.exp! - payload.iat!).toBe(300);
    expect(payload.jti).toEqual(expect.any(String));
    expect(payload.organisation_agb).toBeUndefined();
  });

  it('names the system user in user_id, as every eHealth access token does (DOMAIN.md: the FHIR resource, else an internal id)', async () => {
    for (const [clientId, secret] of [
      ['system', TEST_SECRETS.system],
      ['portal', TEST_SECRETS.portal],
    ] as const) {
      const response = await postForm(tokenUrl, 'grant_type=client_credentials', {
        authorization: basic(clientId, secret),
        ...(clientId === 'portal' ? { organisation_agb: TEST_TENANTS.allowed } : {}),
      });
      expect(response.status).toBe(200);
      const { payload } = await verify(response.body.access_token as string);
      expect(payload).toMatchObject({ sub: clientId, user_type: 'SYSTEM', user_id: clientId });
    }
  });

  it('authenticates with client_secret_post through openid-client too', async () => {
    const config = await oidc.discovery(new URL(issuer), 'system', TEST_SECRETS.system, undefined, {
      execute: [oidc.allowInsecureRequests],
    });
    const tokens = await oidc.clientCredentialsGrant(config);
    const { payload } = await verify(tokens.access_token);
    expect(payload.scope).toBe('system/*.read');
  });

  it('binds the tenant from organisation_agb, in both header forms, and marks the response no-store', async () => {
    for (const header of [TEST_TENANTS.allowed, `http://fhir.nl/fhir/NamingSystem/agb-z|${TEST_TENANTS.allowed}`]) {
      const response = await postForm(tokenUrl, 'grant_type=client_credentials&scope=xis', {
        authorization: basic('portal', TEST_SECRETS.portal),
        organisation_agb: header,
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('pragma')).toBe('no-cache');
      expect(response.body).toMatchObject({ token_type: 'Bearer', expires_in: 300, scope: 'xis' });
      const { payload } = await verify(response.body.access_token as string);
      expect(payload).toMatchObject({ organisation_agb: TEST_TENANTS.allowed, aud: 'xis', scope: 'xis', sub: 'portal' });
    }
  });

  // The portal is registered for `patient/*.read` for the tokens it exchanges on a patient's behalf;
  // its own token names no patient, so a FHIR server reading the scope alone would not know whose data.
  it('grants every registered scope a machine’s token can bear when none is requested: no patient-level one', async () => {
    const asPortal = (body: string) =>
      postForm(tokenUrl, body, { authorization: basic('portal', TEST_SECRETS.portal), organisation_agb: TEST_TENANTS.allowed });
    const unasked = await asPortal('grant_type=client_credentials');
    expect(unasked.body.scope).toBe('xis');
    expect((await verify(unasked.body.access_token as string)).payload.scope).toBe('xis');
    expect((await asPortal('grant_type=client_credentials&scope=xis+patient%2F*.read')).body.scope).toBe('xis');
    expectOAuthError(await asPortal('grant_type=client_credentials&scope=patient%2F*.read'), 400, 'invalid_scope');
    // Empty is absent (RFC 6749 §3.1); spaces only name nothing (§3.3), not a token that can do nothing.
    expect((await asPortal('grant_type=client_credentials&scope=')).body.scope).toBe('xis');
    expectOAuthError(await asPortal('grant_type=client_credentials&scope=+'), 400, 'invalid_scope');
  });

  it('grants a narrower SMART resource scope than the registered system/*.read (SMART Backend Services)', async () => {
    const response = await postForm(tokenUrl, 'grant_type=client_credentials&scope=system%2FPatient.rs', {
      authorization: basic('system', TEST_SECRETS.system),
    });
    expect(response.status).toBe(200);
    expect(response.body.scope).toBe('system/Patient.rs');
    expect((await verify(response.body.access_token as string)).payload.scope).toBe('system/Patient.rs');
  });

  it('keeps concurrent requests of different clients apart: each token names its own client', async () => {
    const clients: { id: string; headers: Record<string, string> }[] = [
      { id: 'system', headers: { authorization: basic('system', TEST_SECRETS.system) } },
      { id: 'portal', headers: { authorization: basic('portal', TEST_SECRETS.portal), organisation_agb: TEST_TENANTS.allowed } },
      { id: 'wrong', headers: { authorization: basic('system', 'not-the-secret') } },
    ];
    const requests = Array.from({ length: 30 }, (_, i) => clients[i % clients.length]!);
    const responses = await Promise.all(requests.map((c) => postForm(tokenUrl, 'grant_type=client_credentials', c.headers)));
    for (const [i, response] of responses.entries()) {
      const expected = requests[i]!.id;
      if (expected === 'wrong') {
        expect(response.status).toBe(401);
      } else {
        expect(response.status).toBe(200);
        expect((await verify(response.body.access_token as string)).payload.client_id).toBe(expected);
      }
    }
  });

  describe('refusals (RFC 6749 §5.2)', () => {
    const systemAuth = { authorization: basic('system', TEST_SECRETS.system) };

    it('wrong secret: 401 invalid_client with WWW-Authenticate', async () => {
      const response = await postForm(tokenUrl, 'grant_type=client_credentials', { authorization: basic('system', 'wrong-secret-value') });
      expectOAuthError(response, 401, 'invalid_client');
      expect(response.headers.get('www-authenticate')).toBe('Basic realm="nemlogin"');
    });

    it('wrong secret by client_secret_post: 401 invalid_client', async () => {
      expectOAuthError(
        await postForm(tokenUrl, 'grant_type=client_credentials&client_id=system&client_secret=nope'),
        401,
        'invalid_client',
      );
    });

    it('unknown client: 401 invalid_client', async () => {
      expectOAuthError(
        await postForm(tokenUrl, 'grant_type=client_credentials', { authorization: basic('nobody', 'whatever') }),
        401,
        'invalid_client',
      );
    });

    it('no client authentication at all: 401 invalid_client', async () => {
      expectOAuthError(await postForm(tokenUrl, 'grant_type=client_credentials'), 401, 'invalid_client');
    });

    it('a public client cannot use client credentials', async () => {
      expectOAuthError(await postForm(tokenUrl, 'grant_type=client_credentials&client_id=patient-app'), 400, 'unauthorized_client');
    });

    it('missing grant type: invalid_request', async () => {
      expectOAuthError(await postForm(tokenUrl, 'scope=system%2F*.read', systemAuth), 400, 'invalid_request');
    });

    it('unknown grant type: unsupported_grant_type', async () => {
      expectOAuthError(await postForm(tokenUrl, 'grant_type=password&username=a&password=b', systemAuth), 400, 'unsupported_grant_type');
    });

    it('duplicate parameter: invalid_request', async () => {
      expectOAuthError(
        await postForm(tokenUrl, 'grant_type=client_credentials&grant_type=client_credentials', systemAuth),
        400,
        'invalid_request',
      );
      expectOAuthError(await postForm(tokenUrl, 'grant_type=client_credentials&scope=a&scope=b', systemAuth), 400, 'invalid_request');
    });

    // Node keeps the first of two Authorization lines, where a proxy in front may read the last: the
    // request was answered as the first's client (RFC 9110 §5.3: the field is not a list).
    it('two Authorization headers, in either order: invalid_request, whichever is the good one', async () => {
      const port = Number(new URL(server.baseUrl).port);
      const body = 'grant_type=client_credentials';
      for (const lines of [
        [systemAuth.authorization, basic('system', 'wrong')],
        [basic('system', 'wrong'), systemAuth.authorization],
        [systemAuth.authorization, systemAuth.authorization],
      ]) {
        const answer = await rawExchange(
          port,
          `POST /realms/nemlogin/protocol/openid-connect/token HTTP/1.1\r\nHost: x\r\nConnection: close\r\n` +
            lines.map((line) => `Authorization: ${line}\r\n`).join('') +
            `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
        );
        expect(answer.head).toMatch(/^HTTP\/1\.1 400 /);
        expect(JSON.parse(answer.body)).toMatchObject({ error: 'invalid_request' });
      }
    });

    it('two authentication methods at once: invalid_request', async () => {
      expectOAuthError(
        await postForm(tokenUrl, `grant_type=client_credentials&client_id=system&client_secret=${TEST_SECRETS.system}`, systemAuth),
        400,
        'invalid_request',
      );
    });

    it('scope not allowed: invalid_scope', async () => {
      expectOAuthError(await postForm(tokenUrl, 'grant_type=client_credentials&scope=system%2F*.write', systemAuth), 400, 'invalid_scope');
    });

    it('tenant not allowed for the client: unauthorized_client', async () => {
      const portal = { authorization: basic('portal', TEST_SECRETS.portal) };
      expectOAuthError(
        await postForm(tokenUrl, 'grant_type=client_credentials', { ...portal, organisation_agb: TEST_TENANTS.forbidden }),
        400,
        'unauthorized_client',
      );
      expectOAuthError(
        await postForm(tokenUrl, 'grant_type=client_credentials', { ...systemAuth, organisation_agb: TEST_TENANTS.allowed }),
        400,
        'unauthorized_client',
      );
      // The audit trail says which organisation each tried to act for.
      const { rows } = await server.app
        .get<Database>(DATABASE)
        .query<{ client_id: string; tenant: string | null }>(
          `SELECT client_id, tenant FROM audit_events WHERE type = 'CLIENT_LOGIN_ERROR' AND error = 'unauthorized_client' ORDER BY id`,
        );
      expect(rows.slice(-2)).toEqual([
        { client_id: 'portal', tenant: TEST_TENANTS.forbidden },
        { client_id: 'system', tenant: TEST_TENANTS.allowed },
      ]);
    });

    it('tenant header missing for a tenant-bound client, or malformed: invalid_request', async () => {
      const portal = { authorization: basic('portal', TEST_SECRETS.portal) };
      expectOAuthError(await postForm(tokenUrl, 'grant_type=client_credentials', portal), 400, 'invalid_request');
      expectOAuthError(
        await postForm(tokenUrl, 'grant_type=client_credentials', { ...portal, organisation_agb: '1234' }),
        400,
        'invalid_request',
      );
      expectOAuthError(
        await postForm(tokenUrl, 'grant_type=client_credentials', {
          ...portal,
          organisation_agb: `http://fhir.nl/fhir/NamingSystem/ura|${TEST_TENANTS.allowed}`,
        }),
        400,
        'invalid_request',
      );
    });

    it('a body that is not a form: invalid_request, not a 500', async () => {
      const response = await fetch(tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...systemAuth },
        body: JSON.stringify({ grant_type: 'client_credentials' }),
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toBe('invalid_request');
    });

    it('an unknown content type or broken JSON: still an OAuth error body', async () => {
      for (const [contentType, body] of [
        ['text/plain', 'grant_type=client_credentials'],
        ['application/json', '{"grant_type":'],
      ]) {
        const response = await fetch(tokenUrl, { method: 'POST', headers: { 'content-type': contentType!, ...systemAuth }, body });
        expect(response.status).toBeGreaterThanOrEqual(400);
        expect(response.status).toBeLessThan(500);
        expect(((await response.json()) as { error: string }).error).toBe('invalid_request');
      }
    });

    it('a __proto__ parameter changes nothing and still gets an OAuth error body', async () => {
      expectOAuthError(await postForm(tokenUrl, '__proto__=x&constructor=y', systemAuth), 400, 'invalid_request');
      const ok = await postForm(tokenUrl, 'grant_type=client_credentials&__proto__[scope]=admin', systemAuth);
      expect(ok.status).toBe(200);
      expect(ok.body.scope).toBe('system/*.read');
    });

    it('an oversize body: refused with an OAuth error, not parsed', async () => {
      const response = await postForm(tokenUrl, `grant_type=client_credentials&pad=${'x'.repeat(300 * 1024)}`, systemAuth);
      expectOAuthError(response, 413, 'invalid_request');
    });

    it('a realm name built to inject a header: 404, nothing echoed', async () => {
      const response = await postForm(
        `${server.baseUrl}/realms/x%22%2C%20error%3D%22injected/protocol/openid-connect/token`,
        'grant_type=client_credentials',
        { authorization: 'Basic !!' },
      );
      expect(response.status).toBe(404);
      expect(response.headers.get('www-authenticate')).toBeNull();
    });

    it('unknown realm: 404 with an OAuth-style body', async () => {
      const response = await postForm(
        `${server.baseUrl}/realms/nope/protocol/openid-connect/token`,
        'grant_type=client_credentials',
        systemAuth,
      );
      expect(response.status).toBe(404);
      expectOAuthError(response, 404, 'not_found');
    });

    it('a refusal never writes the presented secret or the Authorization header to the log', async () => {
      const secret = 'a-distinctive-wrong-secret-4711';
      await postForm(tokenUrl, 'grant_type=client_credentials', { authorization: basic('system', secret) });
      await postForm(tokenUrl, `grant_type=client_credentials&client_id=system&client_secret=${secret}`);
      const logs = server.logs.join('\n');
      expect(logs).toContain('invalid_client');
      expect(logs).not.toContain(secret);
      expect(logs).not.toContain(Buffer.from(`system:${secret}`).toString('base64'));
      expect(logs).not.toContain(TEST_SECRETS.system);
    });
  });

  it('signs with the realm’s configured algorithm', async () => {
    const response = await postForm(tokenUrl, 'grant_type=client_credentials', { authorization: basic('system', TEST_SECRETS.system) });
    expect(decodeProtectedHeader(response.body.access_token as string).alg).toBe('ES256');
  });
});
