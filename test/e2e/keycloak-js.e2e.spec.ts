import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
import { freePort } from '../support/free-port.js';
import { startStaticApp, type StaticApp } from '../support/static-app.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/** What the test page exposes of keycloak-js to the test. */
interface KeycloakWindow {
  kc: {
    authenticated?: boolean;
    token?: string;
    tokenParsed?: Record<string, unknown>;
    idToken?: string;
    sessionId?: string;
    updateToken(minValidity: number): Promise<boolean>;
    loadUserInfo(): Promise<Record<string, unknown>>;
    loadUserProfile(): Promise<Record<string, unknown>>;
    logout(options?: { redirectUri?: string }): Promise<void>;
  };
  initResult?: boolean;
  initError?: string;
}

/**
 * keycloak-js 26 (the browser adapter most eHealth apps use) in headless Chromium, on its own loopback
 * origin, with its default init options plus `onLoad: 'login-required'` and `pkceMethod: 'S256'`:
 * the third-party cookie check and the login-status iframe (`checkLoginIframe`, on by default) are
 * served by the realm and answer, the mocked citizen logs in, `updateToken(-1)` refreshes through the
 * session check, a reload signs on without the login page, and logout ends it.
 */
describe('keycloak-js in a real browser', () => {
  let server: TestServer;
  let app: StaticApp;
  let browser: Browser;
  let appOrigin: string;

  beforeAll(async () => {
    const appPort = await freePort();
    appOrigin = `http://127.0.0.1:${appPort}`;
    server = await startTestServer({
      patch: (raw) => {
        raw.realms[0].clients.push({
          clientId: 'kc-app',
          type: 'public',
          // The same app reached as localhost too: another site than the realm's 127.0.0.1.
          redirectUris: [`${appOrigin}/app.html`, `${appOrigin}/by-discovery.html`, `http://localhost:${appPort}/app.html`],
          postLogoutRedirectUris: [`${appOrigin}/bye.html`],
          webOrigins: ['+'],
          grantTypes: ['authorization_code', 'refresh_token'],
        });
      },
    });
    const page = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>kc app</title></head><body><p>app</p>
<script type="module">
import Keycloak from '/keycloak.js';
const kc = new Keycloak({ url: '${server.baseUrl}', realm: 'nemlogin', clientId: 'kc-app' });
window.kc = kc;
kc.init({ onLoad: 'login-required', pkceMethod: 'S256' }).then(
  (authenticated) => { window.initResult = authenticated; },
  (error) => { window.initError = String((error && (error.message || error.error)) || error); },
);
</script></body></html>`;
    // keycloak-js configured from discovery alone, as for any OpenID provider (`oidcProvider`).
    const byDiscovery = page.replace(
      `{ url: '${server.baseUrl}', realm: 'nemlogin', clientId: 'kc-app' }`,
      `{ oidcProvider: '${server.baseUrl}/realms/nemlogin', clientId: 'kc-app' }`,
    );
    app = await startStaticApp(
      appPort,
      { '/app.html': page, '/by-discovery.html': byDiscovery, '/bye.html': '<p>bye</p>' },
      { '/keycloak.js': 'node_modules/keycloak-js/lib/keycloak.js' },
    );
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await server?.close();
  });

  /** Waits until keycloak-js's init settled, and returns how. */
  async function initOutcome(page: Page): Promise<{ result?: boolean; error?: string }> {
    await page.waitForFunction(() => {
      const w = window as unknown as KeycloakWindow;
      return w.initResult !== undefined || w.initError !== undefined;
    });
    return page.evaluate(() => {
      const w = window as unknown as KeycloakWindow;
      return { result: w.initResult, error: w.initError };
    });
  }

  /** The login-status iframe's answers to `messages`, framed by `page` and asked in turn (OIDC Session Management §3.2). */
  function askLoginStatus(page: Page, messages: unknown[]): Promise<unknown[]> {
    const src = `${server.baseUrl}/realms/nemlogin/protocol/openid-connect/login-status-iframe.html`;
    return page.evaluate(
      async ({ src, messages }) => {
        const frame = document.createElement('iframe');
        frame.src = src;
        document.body.appendChild(frame);
        await new Promise((resolve) => frame.addEventListener('load', resolve));
        const ask = (data: unknown) =>
          new Promise((resolve) => {
            const listener = (event: MessageEvent) => {
              if (event.source !== frame.contentWindow) return;
              window.removeEventListener('message', listener);
              resolve(event.data);
            };
            window.addEventListener('message', listener);
            frame.contentWindow!.postMessage(data, new URL(src).origin);
          });
        const answers = [];
        for (const message of messages) answers.push(await ask(message));
        return answers;
      },
      { src, messages },
    );
  }

  /** A page in a fresh browser context, and the paths its frames (not the page itself) request. */
  async function pageRecordingFrames(): Promise<{ context: BrowserContext; page: Page; framed: string[] }> {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    const framed: string[] = [];
    page.on('request', (request) => {
      if (request.frame() !== page.mainFrame()) framed.push(new URL(request.url()).pathname);
    });
    return { context, page, framed };
  }

  it('init({ onLoad: login-required }) → mocked citizen → authenticated, patient in the token, updateToken(-1) through the session check', async () => {
    const { context, page, framed } = await pageRecordingFrames();

    // The authorization response's `session_state`, which keycloak-js reads and drops; a generic Session Management RP posts it.
    let sessionState: string | null = null;
    page.on('response', (response) => {
      const location = response.headers().location;
      if (location?.startsWith(`${app.origin}/app.html#`))
        sessionState = new URLSearchParams(new URL(location).hash.slice(1)).get('session_state');
    });
    await page.goto(`${app.origin}/app.html`);
    await page.getByRole('heading', { name: /Mocked login/ }).waitFor();
    await page.getByRole('button', { name: /Alice Andersen/ }).click();
    expect(await initOutcome(page)).toEqual({ result: true });
    expect(new URL(page.url()).origin).toBe(app.origin);

    const claims = await page.evaluate(() => (window as unknown as KeycloakWindow).kc.tokenParsed!);
    expect(claims).toMatchObject({ client_id: 'kc-app', patient: 'demo-patient-nancy', user_type: 'PATIENT' });
    expect(claims.fhirUser).toBe(`${server.baseUrl}/fhir/nemlogin/Patient/demo-patient-nancy`);
    // The realm's framed pages were loaded (and allowed to be framed by the app's origin).
    expect(framed).toEqual(
      expect.arrayContaining([
        '/realms/nemlogin/protocol/openid-connect/3p-cookies/step1.html',
        '/realms/nemlogin/protocol/openid-connect/3p-cookies/step2.html',
        '/realms/nemlogin/protocol/openid-connect/login-status-iframe.html',
      ]),
    );

    const before = await page.evaluate(() => (window as unknown as KeycloakWindow).kc.token);
    // updateToken first asks the login-status iframe; an iframe that answered `changed` would have cleared the tokens.
    expect(await page.evaluate(() => (window as unknown as KeycloakWindow).kc.updateToken(-1))).toBe(true);
    const after = await page.evaluate(() => (window as unknown as KeycloakWindow).kc);
    expect(after.authenticated).toBe(true);
    expect(after.token).not.toBe(before);
    expect(after.tokenParsed).toMatchObject({ patient: 'demo-patient-nancy' });
    // The iframe asked the realm whether the app's origin is registered for its client.
    expect(framed).toContain('/realms/nemlogin/protocol/openid-connect/login-status-iframe.html/init');
    // loadUserInfo() sends `Authorization: bearer …`, lower case (RFC 9110 §11.1: the scheme is case-insensitive).
    const userinfo = await page.evaluate(() => (window as unknown as KeycloakWindow).kc.loadUserInfo());
    expect(userinfo).toMatchObject({ sub: claims.sub, patient: 'demo-patient-nancy' });
    // loadUserProfile() reads the realm's account endpoint across origins (keycloak-js asks for `openid` alone: no names).
    expect(await page.evaluate(() => (window as unknown as KeycloakWindow).kc.loadUserProfile())).toEqual({ id: claims.sub });

    // The login-status iframe answers every message: the app's own session, another one, and malformed ones.
    const sid = await page.evaluate(() => (window as unknown as KeycloakWindow).kc.sessionId);
    const answers = await askLoginStatus(page, [
      `kc-app ${sid}`,
      `kc-app ${sessionState}`,
      'kc-app someone.else',
      42,
      'one-part',
      `nobody ${sid}`,
    ]);
    expect(sessionState).toBe(claims.sid);
    expect(answers).toEqual(['unchanged', 'unchanged', 'changed', 'error', 'error', 'error']);

    // A reload: keycloak-js logs in again, and the SSO session answers without the login page.
    const visited: string[] = [];
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) visited.push(new URL(frame.url()).pathname);
    });
    await page.reload();
    expect(await initOutcome(page)).toEqual({ result: true });
    expect(visited.some((path) => path.includes('/broker/mock/login'))).toBe(false);

    // Logout through keycloak-js ends the SSO session: the next visit needs the login page again.
    await page.evaluate(() => (window as unknown as KeycloakWindow).kc.logout({ redirectUri: `${location.origin}/bye.html` }));
    await page.waitForURL(`${app.origin}/bye.html`);
    await page.goto(`${app.origin}/app.html`);
    await page.getByRole('heading', { name: /Mocked login/ }).waitFor();
    await context.close();
  });

  it('configured by discovery (oidcProvider): logs in and checks the session in the iframe discovery names', async () => {
    const { context, page, framed } = await pageRecordingFrames();
    await page.goto(`${app.origin}/by-discovery.html`);
    await page.getByRole('heading', { name: /Mocked login/ }).waitFor();
    await page.getByRole('button', { name: /Alice Andersen/ }).click();
    expect(await initOutcome(page)).toEqual({ result: true });
    expect(framed).toContain('/realms/nemlogin/protocol/openid-connect/login-status-iframe.html');
    expect(await page.evaluate(() => (window as unknown as KeycloakWindow).kc.updateToken(-1))).toBe(true);
    await context.close();
  });

  it("on another site, where the browser keeps the realm's cookies from its frames, the iframe answers `error`, not `changed`", async () => {
    const { context, page, framed } = await pageRecordingFrames();
    await page.goto(`http://localhost:${new URL(app.origin).port}/app.html`);
    await page.getByRole('heading', { name: /Mocked login/ }).waitFor();
    await page.getByRole('button', { name: /Alice Andersen/ }).click();
    expect(await initOutcome(page)).toEqual({ result: true });
    // keycloak-js's own third-party cookie check found no cookies in frames, so it framed no login-status iframe.
    expect(framed).toContain('/realms/nemlogin/protocol/openid-connect/3p-cookies/step1.html');
    expect(framed).not.toContain('/realms/nemlogin/protocol/openid-connect/login-status-iframe.html');

    // A Session Management RP (oidc-client-ts) frames it all the same: a live session the frame cannot see is not `changed`.
    const sid = await page.evaluate(() => (window as unknown as KeycloakWindow).kc.sessionId);
    expect(await askLoginStatus(page, [`kc-app ${sid}`])).toEqual(['error']);
    expect(await page.evaluate(() => (window as unknown as KeycloakWindow).kc.updateToken(-1))).toBe(true);
    await context.close();
  });

  it('logout after keycloak-js dropped its ID token: the realm asks first, and the confirmed logout ends the SSO session', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    await page.goto(`${app.origin}/app.html`);
    await page.getByRole('heading', { name: /Mocked login/ }).waitFor();
    await page.getByRole('button', { name: /Alice Andersen/ }).click();
    expect(await initOutcome(page)).toEqual({ result: true });

    // As after a failed refresh or an iframe `changed`: keycloak-js then logs out with client_id only.
    await page.evaluate(() => {
      const { kc } = window as unknown as KeycloakWindow;
      kc.idToken = undefined;
      return kc.logout({ redirectUri: `${location.origin}/bye.html` });
    });
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(`${app.origin}/bye.html`);
    await page.goto(`${app.origin}/app.html`);
    await page.getByRole('heading', { name: /Mocked login/ }).waitFor();
    await context.close();
  });

  it('the framed pages: framable by registered web origins only, the iframe init answers 204 or 403; other pages stay unframable', async () => {
    const oidc = `${server.baseUrl}/realms/nemlogin/protocol/openid-connect`;
    for (const path of ['3p-cookies/step1.html', '3p-cookies/step2.html', 'login-status-iframe.html']) {
      const response = await fetch(`${oidc}/${path}`);
      expect(response.status).toBe(200);
      const csp = response.headers.get('content-security-policy')!;
      expect(csp).toMatch(new RegExp(`frame-ancestors [^;]*${appOrigin.replace(/[.]/g, '\\.')}`));
      expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
      expect(response.headers.get('x-frame-options')).toBeNull();
    }
    const init = (clientId: string, origin: string) =>
      fetch(`${oidc}/login-status-iframe.html/init?${new URLSearchParams({ client_id: clientId, origin })}`).then((r) => r.status);
    expect(await init('kc-app', appOrigin)).toBe(204);
    expect(await init('kc-app', 'http://evil.example')).toBe(403);
    expect(await init('nobody', appOrigin)).toBe(403);
    // The realm's other browser pages refuse every frame, as before.
    const chooser = await fetch(`${oidc}/auth?client_id=kc-app&redirect_uri=nowhere`);
    expect(chooser.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(chooser.headers.get('x-frame-options')).toBe('DENY');
  });
});
