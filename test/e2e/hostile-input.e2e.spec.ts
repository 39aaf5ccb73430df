import { importJWK, SignJWT } from 'jose';
import { loginTokens, PUBLIC_CLIENT, refresh } from '../support/login-flow.js';
import { TEST_SECRETS, XIS_CLIENT_PRIVATE_JWK } from '../support/test-config.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { basic, postForm } from '../support/token-requests.js';
import { expectOAuthError } from '../support/oauth-error.js';

const SOR = 'urn:oid:1.2.208.176.1.1';
const NURSE = 'urn:dk:sundhed:role:nurse';

/** A JWT whose header names `kid`; the signature is junk, so it can only ever be an invalid token. */
function tokenWithKid(kid: string, typ = 'at+jwt'): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'ES256', typ, kid })}.${part({ sub: 'x', iat: 1, exp: 4102444800 })}.${Buffer.from('sig').toString('base64url')}`;
}

/**
 * Input an anonymous caller controls never reaches a 500 (issue 15, finding 4): a NUL byte in a
 * token's `kid` or in `state`/`nonce`, and context ids that are path segments (`.`, `..`), are
 * refused at the edge as the error each endpoint defines, and nothing is consumed on the way.
 */
describe('hostile input reaches no 500', () => {
  let server: TestServer;
  let oidc: string;

  beforeAll(async () => {
    server = await startTestServer({
      patch: (raw) => {
        raw.realms[1].clients = [
          { ...raw.realms[0].clients.find((c: { clientId: string }) => c.clientId === 'patient-app'), scopes: ['openid'] },
        ];
        raw.realms[1].mockUsers = [
          {
            username: 'nurse',
            kind: 'clinician',
            identifiers: [{ system: 'urn:test:clinician', value: 'nurse-hostile' }],
            organisations: [{ system: SOR, value: '999000000000101', roles: [NURSE] }],
            careTeams: [{ id: 'DEMO-CT-DIABETES', roles: [NURSE] }],
          },
        ];
      },
    });
    oidc = `${server.baseUrl}/realms/nemlogin/protocol/openid-connect`;
  });
  afterAll(() => server.close());

  const hostileKids = ['\u0000', 'kid\u0000', 'k\u0001d', 'x'.repeat(4096), 'ké\u007f'];

  it('a token whose kid is not a short printable string is just an invalid token, everywhere', async () => {
    for (const kid of hostileKids) {
      const token = tokenWithKid(kid);
      const userinfo = await fetch(`${oidc}/userinfo`, { headers: { authorization: `Bearer ${token}` } });
      expect(userinfo.status).toBe(401);
      expect(((await userinfo.json()) as Record<string, unknown>).error).toBe('invalid_token');

      const contexts = await fetch(`${server.baseUrl}/realms/nemlogin/contexts`, { headers: { authorization: `Bearer ${token}` } });
      expect(contexts.status).toBe(401);

      const introspection = await postForm(`${oidc}/token/introspect`, new URLSearchParams({ token }), {
        authorization: basic('system', TEST_SECRETS.system),
      });
      expect(introspection).toMatchObject({ status: 200, body: { active: false } });

      const refreshed = await refresh(server.baseUrl, 'nemlogin', tokenWithKid(kid, 'rt+jwt'));
      expect(refreshed).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });

      const exchanged = await postForm(
        `${oidc}/token`,
        new URLSearchParams({
          grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
          subject_token: token,
          subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
          audience: 'xis',
        }),
        { authorization: basic('portal', TEST_SECRETS.portal) },
      );
      expect(exchanged.status).toBe(400);

      const logout = await fetch(`${oidc}/logout?${new URLSearchParams({ id_token_hint: tokenWithKid(kid, 'JWT') })}`);
      expect(logout.status).toBe(400);
      expect(await logout.text()).toContain('This logout link is not valid');
    }
  });

  it('a control character in state or nonce is invalid_request at the client, and starts no login', async () => {
    for (const [name, value] of [
      ['state', 'st\u0000ate'],
      ['nonce', '\u0000'],
      ['state', 'line\nbreak'],
      ['nonce', 'del\u007f'],
    ]) {
      const url = new URL(`${oidc}/auth`);
      for (const [key, v] of Object.entries({
        client_id: 'web',
        redirect_uri: 'http://127.0.0.1/web/callback',
        response_type: 'code',
        scope: 'openid',
        state: 'fine',
        [name]: value,
      }))
        url.searchParams.set(key, v);
      const response = await fetch(url, { redirect: 'manual' });
      expect(response.status).toBe(303);
      const location = new URL(response.headers.get('location')!);
      expect(`${location.origin}${location.pathname}`).toBe('http://127.0.0.1/web/callback');
      expect(location.searchParams.get('error')).toBe('invalid_request');
      // A refused state is not echoed back; a good one is, next to a refused nonce.
      expect(location.searchParams.get('state')).toBe(name === 'state' ? null : 'fine');
      expect(response.headers.get('set-cookie')).toBeNull();
    }
  });

  it('context ids "." and ".." are refused as invalid_request before FHIR is asked, and the refresh token stays usable', async () => {
    const tokens = await loginTokens(server.baseUrl, 'ehealth', 'nurse', 'openid', PUBLIC_CLIENT);
    let current = tokens.refresh_token as string;
    const fhirReads = async () =>
      Number(/^federation_fhir_requests_total\{kind="read"\} (\d+)$/m.exec(await (await fetch(`${server.baseUrl}/metrics`)).text())?.[1]);
    const choices: Record<string, string>[] = [
      { care_team_id: '.' },
      { care_team_id: '..' },
      { care_team_id: 'CareTeam/..' },
      { organization_id: '..' },
      { care_team_id: 'demo-careteam-diabetes', patient_id: '..' },
      { care_team_id: 'demo-careteam-diabetes', episode_of_care_id: '.' },
      { care_team_id: 'demo\u0000' },
    ];
    for (const choice of choices) {
      const readsBefore = await fhirReads();
      const refused = await refresh(server.baseUrl, 'ehealth', current, choice);
      expect(refused).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
      expect(await fhirReads()).toBe(readsBefore);
      // Nothing was rotated: the same refresh token still works (a plain refresh, which reads the
      // nurse's one care team again).
      const next = await refresh(server.baseUrl, 'ehealth', current);
      expect(next.status).toBe(200);
      current = next.body.refresh_token as string;
    }
  });

  it('what a refused request names reaches the log cut short: a 60 KB client_id, grant_type or parameter name', async () => {
    const from = server.logs.length;
    // As large as a body may be (64 KB, request-bodies.ts), so that the request reaches what reads it.
    const huge = 'x'.repeat(60_000);
    expectOAuthError(
      await postForm(`${oidc}/token`, new URLSearchParams({ grant_type: 'client_credentials', client_id: huge })),
      401,
      'invalid_client',
    );
    const grant = await postForm(`${oidc}/token`, new URLSearchParams({ grant_type: huge, client_id: 'patient-app' }));
    expect(grant.status).toBe(400);
    const repeated = await fetch(`${oidc}/auth`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `${huge.slice(0, 30_000)}=1&${huge.slice(0, 30_000)}=2&client_id=patient-app&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcallback`,
    });
    expect(repeated.status).toBeLessThan(500);
    const lines = server.logs.slice(from);
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) expect(line.length).toBeLessThan(4096);
  });

  it('a client assertion whose jti holds a NUL byte is refused at the edge, before the database (a value that got past the edge would be invalid_request: see oauth-error.filter.spec)', async () => {
    // A signed client assertion whose jti holds a NUL byte: the jti is stored for replay detection.
    const now = Math.floor(Date.now() / 1000);
    const assertion = await new SignJWT({ iss: 'xis', sub: 'xis', aud: `${oidc}/token`, jti: 'jti\u0000', iat: now, exp: now + 60 })
      .setProtectedHeader({ alg: 'ES256', kid: XIS_CLIENT_PRIVATE_JWK.kid })
      .sign(await importJWK(XIS_CLIENT_PRIVATE_JWK, 'ES256'));
    const response = await postForm(
      `${oidc}/token`,
      new URLSearchParams({
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
      }),
    );
    expectOAuthError(response, 401, 'invalid_client');
  });
});
