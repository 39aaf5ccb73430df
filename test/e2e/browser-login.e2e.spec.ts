import * as oidc from 'openid-client';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const CALLBACK = 'http://127.0.0.1/callback';

/**
 * A real browser (Debian's headless Chromium through playwright-core) logs in through the mock
 * login page and lands on the client's callback with a code that redeems. `.ci/run` installs
 * Chromium; without it this suite fails rather than skip, so a missing browser is never green.
 */
describe('browser login through the mock login page', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('clicks a mocked citizen and reaches the callback with a code that openid-client redeems', async () => {
    const issuer = `${server.baseUrl}/realms/nemlogin`;
    const client = await oidc.discovery(new URL(issuer), 'patient-app', undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(client, {
      redirect_uri: CALLBACK,
      scope: 'openid profile',
      state,
      nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });

    const page = await browser.newPage();
    page.setDefaultTimeout(10_000);
    let landed: URL | undefined;
    // The test client's callback: the browser really navigates there; we answer it in place of an app.
    await page.route(`${CALLBACK}**`, async (route) => {
      landed = new URL(route.request().url());
      await route.fulfill({ status: 200, contentType: 'text/html', body: '<p>callback reached</p>' });
    });
    await page.goto(url.href);
    await page.getByRole('heading', { name: /Mocked login/ }).waitFor();
    await page.getByRole('button', { name: /Alice Andersen/ }).click();
    await page.getByText('callback reached').waitFor();
    await page.close();

    expect(landed?.searchParams.get('state')).toBe(state);
    const tokens = await oidc.authorizationCodeGrant(client, landed!, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    expect(tokens.claims()).toMatchObject({ name: 'Alice Andersen', iss: issuer });
  });
});
