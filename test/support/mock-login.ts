import { cookiesFrom } from './browser-cookies.js';
import type { CookieJar } from './cookie-jar.js';

/**
 * Drives the browser part of a login without a browser: follows the authorization redirect to the
 * mock login page, "clicks" a mocked user, and returns where the service finally sends the browser.
 * Like a browser, it sends back the cookie that binds the login to it.
 */
export async function loginAsMockUser(authorizationUrl: string, username: string, request: RequestInit = {}): Promise<URL> {
  const posted = await mockLoginResponse(authorizationUrl, username, request);
  if (posted.status !== 303) throw new Error(`mock login answered ${posted.status}: ${await posted.text()}`);
  return new URL(posted.headers.get('location')!);
}

/**
 * The same steps, returning the service's last answer as it is (a redirect, or a form_post page).
 * `request` sends the authorization request otherwise than by GET, e.g. as a form POST.
 */
export async function mockLoginResponse(authorizationUrl: string, username: string, request: RequestInit = {}): Promise<Response> {
  const toMock = await fetch(authorizationUrl, { ...request, redirect: 'manual' });
  if (toMock.status !== 303) throw new Error(`authorization answered ${toMock.status}: ${await toMock.text()}`);
  const cookie = cookiesFrom(toMock);
  const mockPage = await fetch(toMock.headers.get('location')!, { headers: { cookie } });
  const { tx, action } = mockLoginForm(await mockPage.text());
  return fetch(action, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams({ tx, username }).toString(),
  });
}

/** The public test client's authorization request in realm nemlogin (PKCE), to drive a mocked citizen's login up to its answer. */
export function citizenAuthorizationUrl(baseUrl: string): string {
  const url = new URL(`${baseUrl}/realms/nemlogin/protocol/openid-connect/auth`);
  url.search = new URLSearchParams({
    client_id: 'patient-app',
    redirect_uri: 'http://127.0.0.1/callback',
    response_type: 'code',
    scope: 'openid patient/*.read',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
    state: 'st',
  }).toString();
  return url.href;
}

/** In `browser` (a cookie jar), on the mock login page it was sent to, picks `username`: where the service sends it next. */
export async function pickMockUserIn(browser: CookieJar, mockPage: URL, username: string): Promise<URL> {
  const { tx, action } = mockLoginForm(await (await browser.fetch(mockPage.href)).text());
  const posted = await browser.fetch(action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ tx, username }).toString(),
  });
  if (posted.status !== 303) throw new Error(`mock login answered ${posted.status}`);
  return new URL(posted.headers.get('location')!);
}

/** The mock login page's form: its login transaction and where it posts. */
function mockLoginForm(html: string): { tx: string; action: string } {
  const tx = /name="tx" value="([^"]+)"/.exec(html)?.[1];
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  if (!tx || !action) throw new Error(`no mock login form in: ${html.slice(0, 200)}`);
  return { tx, action };
}
