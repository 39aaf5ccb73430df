import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const CALLBACK = 'http://127.0.0.1/callback';
const OPERATOR = 'Sundhedsplatformen Test';

/** Words a person reads on the English pages (from messages/en.json); none may show on a translated page. */
const ENGLISH = [
  'Mocked login',
  'No national identity provider',
  'This login link is not valid',
  'Return to the application',
  'If you contact support',
  'Privacy',
];

/**
 * The pages a citizen sees, in a real browser (Debian's headless Chromium through playwright-core),
 * in Danish (asked for with `ui_locales`) and Dutch (the browser's language): the rendered text is
 * read back from the page and a screenshot of each is written to a temporary directory.
 */
describe('pages in Danish and Dutch, in a real browser', () => {
  let server: TestServer;
  let browser: Browser;
  const screenshots = mkdtempSync(join(tmpdir(), 'federation-pages-'));

  beforeAll(async () => {
    server = await startTestServer({
      patch: (raw) => {
        raw.branding = { operatorName: OPERATOR, privacyUrl: 'https://operator.example/privacy' };
      },
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const authorizeUrl = (extra: Record<string, string> = {}) => {
    const url = new URL(`${server.baseUrl}/realms/nemlogin/protocol/openid-connect/auth`);
    const params = {
      client_id: 'patient-app',
      redirect_uri: CALLBACK,
      response_type: 'code',
      scope: 'openid',
      state: 's1',
      code_challenge: 'rQzxQVwoF1Ngz36EcYf7vjzrqlKXoh7v7bEt08gkQWM',
      code_challenge_method: 'S256',
      ...extra,
    };
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    return url.href;
  };

  async function newPage(locale: string): Promise<Page> {
    const context = await browser.newContext({ locale });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    return page;
  }

  /** What a person reads, after a screenshot of it is taken. */
  async function readPage(page: Page, name: string): Promise<string> {
    const file = join(screenshots, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    expect(statSync(file).size).toBeGreaterThan(1000);
    return page.locator('body').innerText();
  }

  function expectNoEnglish(text: string): void {
    // Whole words: Dutch "Privacyverklaring" is not the English "Privacy".
    for (const words of ENGLISH) expect(text).not.toMatch(new RegExp(`\\b${words}\\b`));
  }

  it('shows the mocked-user page, and a refusal after it, in Danish when the application asks with ui_locales', async () => {
    const page = await newPage('en-US');
    await page.goto(authorizeUrl({ ui_locales: 'da' }));
    await page.getByRole('heading', { name: 'Testlogin (kun i testmiljøer)' }).waitFor();
    const mockPage = await readPage(page, 'mock-login-da');
    expect(mockPage).toContain('Ingen national identitetsudbyder er involveret');
    expect(mockPage).toContain('(borger)');
    expect(mockPage).toContain(OPERATOR);
    expect(mockPage).toContain('Privatlivspolitik');
    expect(await page.locator('html').getAttribute('lang')).toBe('da');
    expectNoEnglish(mockPage);

    // lowloa's level of assurance is too low: the page after the form post still speaks Danish.
    await page.getByRole('button', { name: /lowloa/ }).click();
    await page.getByRole('heading', { name: 'Login afvist' }).waitFor();
    const refused = await readPage(page, 'refused-da');
    expect(refused).toContain('sikringsniveau');
    expect(refused).toContain('Hvis du kontakter support, så oplys denne reference:');
    expectNoEnglish(refused);
    await page.context().close();
  });

  it('shows an error page in Danish with the reference that is on its log line', async () => {
    const page = await newPage('en-US');
    const response = await page.goto(authorizeUrl({ ui_locales: 'da', redirect_uri: 'https://evil.example/cb' }));
    expect(response?.status()).toBe(400);
    await page.getByRole('heading', { name: 'Dette login-link er ikke gyldigt' }).waitFor();
    const text = await readPage(page, 'error-da');
    expectNoEnglish(text);
    const reference = await page.locator('code').innerText();
    expect(reference).toBe(response?.headers()['x-request-id']);
    const line = server.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.reqId === reference && l.statusCode === 400);
    expect(line).toMatchObject({ msg: 'request completed', path: '/realms/nemlogin/protocol/openid-connect/auth' });
    await page.context().close();
  });

  it('shows the mocked-user page and an error page in Dutch when that is the browser’s language', async () => {
    const page = await newPage('nl-NL');
    await page.goto(authorizeUrl());
    await page.getByRole('heading', { name: 'Testlogin (alleen in testomgevingen)' }).waitFor();
    const mockPage = await readPage(page, 'mock-login-nl');
    expect(mockPage).toContain('Er is geen nationale identiteitsprovider bij betrokken');
    expect(mockPage).toContain('Privacyverklaring');
    expectNoEnglish(mockPage);

    await page.goto(authorizeUrl({ redirect_uri: 'https://evil.example/cb' }));
    await page.getByRole('heading', { name: 'Deze inloglink is niet geldig' }).waitFor();
    const error = await readPage(page, 'error-nl');
    expect(error).toContain('Noem deze referentie als u contact opneemt met de helpdesk:');
    expectNoEnglish(error);
    await page.context().close();
  });

  it('stays English when nothing else is asked for', async () => {
    const page = await newPage('en-US');
    await page.goto(authorizeUrl({ ui_locales: 'fr' }));
    await page.getByRole('heading', { name: 'Mocked login (test environments only)' }).waitFor();
    expect(await readPage(page, 'mock-login-en')).toContain('No national identity provider');
    await page.context().close();
  });
});
