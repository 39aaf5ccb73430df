import * as oidc from 'openid-client';
import { expectOAuthError } from '../support/oauth-error.js';
import { TEST_SECRETS } from '../support/test-config.js';
import { TestClock } from '../support/test-clock.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { basic, postForm } from '../support/token-requests.js';

const PREVIOUS = 'the-system-secret-being-replaced-0123456789';
const UNTIL = new Date(Date.now() + 3_600_000);

/**
 * A client secret rotated with an overlap (`previousSecret`, README "Rotating a client secret"), over
 * real HTTP with openid-client: the previous secret works until `until` and is then an invalid_client
 * (RFC 6749 §5.2), and /metrics shows when it was last presented.
 */
describe('client secret rotation', () => {
  const clock = new TestClock(new Date(UNTIL.getTime() - 60_000));
  let server: TestServer;
  let issuer: string;

  beforeAll(async () => {
    server = await startTestServer({
      patch: (raw) => {
        const system = raw.realms[0].clients.find((c: { clientId: string }) => c.clientId === 'system');
        system.previousSecret = { secret: PREVIOUS, until: UNTIL.toISOString() };
      },
      overrides: { clock },
    });
    issuer = `${server.baseUrl}/realms/nemlogin`;
  });
  afterAll(() => server.close());

  const grantWith = async (authentication: oidc.ClientAuth) => {
    const config = await oidc.discovery(new URL(issuer), 'system', undefined, authentication, { execute: [oidc.allowInsecureRequests] });
    return oidc.clientCredentialsGrant(config, { scope: 'system/*.read' });
  };
  const lastUse = async () => {
    const text = await (await fetch(`${server.baseUrl}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith('federation_client_previous_secret_last_use_timestamp_seconds{'));
    return line && { labels: line.slice(line.indexOf('{'), line.indexOf('}') + 1), value: Number(line.split(' ').pop()) };
  };

  it('takes the new secret and, until `until`, the previous one, by either method, and says when the previous one was used', async () => {
    await expect(grantWith(oidc.ClientSecretBasic(TEST_SECRETS.system))).resolves.toMatchObject({ token_type: 'bearer' });
    expect(await lastUse()).toBeUndefined();

    await expect(grantWith(oidc.ClientSecretBasic(PREVIOUS))).resolves.toMatchObject({ token_type: 'bearer' });
    await expect(grantWith(oidc.ClientSecretPost(PREVIOUS))).resolves.toMatchObject({ token_type: 'bearer' });
    expect(await lastUse()).toEqual({ labels: '{realm="nemlogin",client="system"}', value: clock.now().getTime() / 1000 });
  });

  it('refuses the previous secret from `until` on with invalid_client, and still takes the new one', async () => {
    clock.advance(60);
    const refusal = await grantWith(oidc.ClientSecretBasic(PREVIOUS)).catch((e: unknown) => e);
    // A 401 with its Basic challenge (RFC 6749 §5.2), which openid-client reports as the challenge.
    expect(refusal).toBeInstanceOf(oidc.WWWAuthenticateChallengeError);
    expect(refusal).toMatchObject({ status: 401 });
    const tokenUrl = `${issuer}/protocol/openid-connect/token`;
    expectOAuthError(
      await postForm(tokenUrl, 'grant_type=client_credentials', { authorization: basic('system', PREVIOUS) }),
      401,
      'invalid_client',
    );
    expectOAuthError(
      await postForm(tokenUrl, new URLSearchParams({ grant_type: 'client_credentials', client_id: 'system', client_secret: PREVIOUS })),
      401,
      'invalid_client',
    );
    await expect(grantWith(oidc.ClientSecretBasic(TEST_SECRETS.system))).resolves.toMatchObject({ token_type: 'bearer' });
  });
});
