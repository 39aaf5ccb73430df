import { startTestServer, type TestServer } from '../support/test-server.js';

const CALLBACK = 'http://127.0.0.1/callback';

/**
 * A realm whose browser clients have no way to log in: no identity provider, and no mocked users (a
 * realm whose only login was its mocked users, switched to production, has to lose them). The
 * authorization request goes back to the client with an error instead of showing an empty chooser.
 */
describe('authorization request in a realm that offers no way to log in', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({
      patch: (raw) => {
        raw.realms[1].clients = [
          { clientId: 'ehealth-app', type: 'public', redirectUris: [CALLBACK], grantTypes: ['authorization_code', 'refresh_token'] },
        ];
      },
    });
  });
  afterAll(() => server?.close());

  it('answers the client with server_error, state and iss, and starts no login', async () => {
    const issuer = `${server.baseUrl}/realms/ehealth`;
    const url = new URL(`${issuer}/protocol/openid-connect/auth`);
    for (const [name, value] of Object.entries({
      client_id: 'ehealth-app',
      redirect_uri: CALLBACK,
      response_type: 'code',
      scope: 'openid',
      state: 's1',
      code_challenge: 'rQzxQVwoF1Ngz36EcYf7vjzrqlKXoh7v7bEt08gkQWM',
      code_challenge_method: 'S256',
    }))
      url.searchParams.set(name, value);
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(303);
    expect(response.headers.getSetCookie().filter((c) => c.startsWith('federation_login_'))).toEqual([]);
    const location = new URL(response.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
    expect(Object.fromEntries(location.searchParams)).toEqual({ error: 'server_error', state: 's1', iss: issuer });
    expect(server.logs.some((line) => line.includes('no way to log in'))).toBe(true);
  });
});
