import { startTestServer, type TestServer } from '../support/test-server.js';
import { TEST_SECRETS, TEST_TENANTS } from '../support/test-config.js';
import { basic, postForm } from '../support/token-requests.js';

/**
 * What a refusal's log line names of the request (the security contract: no secret, national
 * identifier or name in a log line). A value is named only when it is the service's own: a registered
 * client, a registered grant or token type, an OIDC or SMART scope. Anything else a request put
 * there, a secret typed into the client id or a person's name, is left out or counted. The server's
 * close checks every line for the test persons' names and national identifiers too.
 */
describe('the log line of a refused request', () => {
  let server: TestServer;
  let realmUrl: string;
  let tokenUrl: string;

  beforeAll(async () => {
    server = await startTestServer();
    realmUrl = `${server.baseUrl}/realms/nemlogin`;
    tokenUrl = `${realmUrl}/protocol/openid-connect/token`;
  });
  afterAll(() => server.close());

  /** The reasons of the refusals logged while `work` ran. */
  async function reasonsLoggedBy(work: () => Promise<void>): Promise<string[]> {
    const from = server.logs.length;
    await work();
    // The refusal is logged before its answer is sent.
    return server.logs
      .slice(from)
      .map((line) => JSON.parse(line) as { reason?: string; ignored?: string })
      .flatMap((line) => [line.reason, line.ignored].filter((value): value is string => value !== undefined));
  }

  it('does not name an unknown client: a secret sent as the client id stays out of the log', async () => {
    const secret = TEST_SECRETS.portal;
    const reasons = await reasonsLoggedBy(async () => {
      expect((await postForm(tokenUrl, 'grant_type=client_credentials', { authorization: basic(secret, 'portal') })).status).toBe(401);
      const post = new URLSearchParams({ grant_type: 'client_credentials', client_id: `portal:${secret}`, client_secret: 'x' });
      expect((await postForm(tokenUrl, post)).status).toBe(401);
      const auth = new URL(`${realmUrl}/protocol/openid-connect/auth`);
      auth.search = new URLSearchParams({ client_id: secret, redirect_uri: 'http://127.0.0.1/callback', response_type: 'code' }).toString();
      expect((await fetch(auth)).status).toBe(400);
    });
    expect(reasons).toEqual(['unknown client', 'unknown client', 'unknown client']);
    expect(server.logs.filter((line) => line.includes(secret))).toEqual([]);
  });

  it('names a registered client whose secret was wrong', async () => {
    const reasons = await reasonsLoggedBy(async () => {
      expect((await postForm(tokenUrl, 'grant_type=client_credentials', { authorization: basic('portal', 'wrong') })).status).toBe(401);
    });
    expect(reasons).toEqual(['wrong secret for client "portal"']);
  });

  it('names registered grant and token types and parameter names, and only counts or hides any other value', async () => {
    const system = { authorization: basic('system', TEST_SECRETS.system) };
    const portal = { authorization: basic('portal', TEST_SECRETS.portal), organisation_agb: TEST_TENANTS.allowed };
    const exchange = (fields: Record<string, string>) =>
      postForm(
        tokenUrl,
        new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: 'x', ...fields }),
        portal,
      );
    const reasons = await reasonsLoggedBy(async () => {
      expect((await postForm(tokenUrl, 'grant_type=password', system)).status).toBe(400);
      expect((await postForm(tokenUrl, 'grant_type=Karen+Jensen', system)).status).toBe(400);
      expect((await postForm(tokenUrl, 'grant_type=client_credentials&scope=system/*.write+Karen+0101011234', system)).status).toBe(400);
      expect((await exchange({ subject_token_type: 'urn:ietf:params:oauth:token-type:saml2' })).status).toBe(400);
      expect((await exchange({ subject_token_type: 'urn:Karen:Jensen' })).status).toBe(400);
      expect((await exchange({ subject_token_type: 'x', requested_token_type: 'Karen' })).status).toBe(400);
      expect((await postForm(tokenUrl, 'grant_type=client_credentials&scope=a&scope=b', system)).status).toBe(400);
      expect((await postForm(tokenUrl, 'grant_type=client_credentials&Karen=a&Karen=b', system)).status).toBe(400);
    });
    expect(reasons).toEqual([
      'grant type password is not implemented',
      'grant type (another value) is not implemented',
      'scope not allowed: system/*.write 2 other values',
      'subject_token_type urn:ietf:params:oauth:token-type:saml2 not accepted',
      'subject_token_type (another value) not accepted',
      'requested_token_type (another value) not issued to this client',
      'parameter scope repeated',
      'parameter (another value) repeated',
    ]);
  });

  it('counts the scope values a login asked for that are neither OIDC nor SMART, and names the rest', async () => {
    const auth = new URL(`${realmUrl}/protocol/openid-connect/auth`);
    const scope = 'openid patient/*.write Karen patient/Patient.read?identifier=urn%3Aoid%3A1.2.208.176.1.2%7C0101011234';
    auth.search = new URLSearchParams({
      client_id: 'patient-app',
      redirect_uri: 'http://127.0.0.1/callback',
      response_type: 'code',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
      scope,
    }).toString();
    const reasons = await reasonsLoggedBy(async () => {
      expect((await fetch(auth, { redirect: 'manual' })).status).toBeLessThan(400);
    });
    expect(reasons).toEqual(['patient/*.write 2 other values']);
  });
});
