import { MAX_FORM_PAIRS } from '../../src/request-bodies.js';
import { DATABASE, type Database } from '../../src/storage/database.js';
import { gzipSync } from 'node:zlib';
import { rawExchange } from '../support/raw-exchange.js';
import { eventuallyRefusalEvents } from '../support/refusal-events.js';
import { TEST_SECRETS, TEST_TENANTS } from '../support/test-config.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const RFC_6749_BODY = { error: 'invalid_request', error_description: expect.any(String) };

/**
 * Requests refused before any route sees them (RFC 6749 §5.2 bodies there too, a page on a browser's
 * route): by Fastify's router (a path segment that is no UTF-8, one over 100 characters), by node's
 * HTTP parser (a NUL in a header), and a request that never arrives whole (limits.requestTimeoutSeconds).
 */
describe('requests the service cannot read', () => {
  let server: TestServer;
  let port: number;

  beforeAll(async () => {
    server = await startTestServer({ patch: (raw) => (raw.limits = { ...raw.limits, requestTimeoutSeconds: 1 }) });
    port = Number(new URL(server.baseUrl).port);
  });
  afterAll(() => server.close());

  it('answers a path segment that is no UTF-8, or too long to route, as every other bad request', async () => {
    for (const realm of ['%FF', '%C0%AF', 'a'.repeat(101)]) {
      const token = await fetch(`${server.baseUrl}/realms/${realm}/protocol/openid-connect/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
      expect(token.status).toBe(400);
      expect(await token.json()).toEqual(RFC_6749_BODY);
      const login = await fetch(`${server.baseUrl}/realms/${realm}/protocol/openid-connect/auth?client_id=patient-app`);
      expect(login.status).toBe(400);
      expect(login.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await login.text()).not.toContain(realm);
    }
  });

  it('answers the logout confirmation form it cannot read, and a method a browser route does not take, with a page', async () => {
    const confirm = await fetch(`${server.baseUrl}/realms/nemlogin/protocol/openid-connect/logout/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    // No form: refused unread (request-bodies.ts), with a page.
    expect(confirm.status).toBe(415);
    expect(confirm.headers.get('content-type')).toMatch(/^text\/html/);
    // A method no route of that path takes: a browser's route still answers with a page, 405 with
    // the methods it does take (RFC 9110 §15.5.6; method-not-allowed.e2e.spec.ts), where it was 404.
    const put = await fetch(`${server.baseUrl}/realms/nemlogin/protocol/openid-connect/auth`, { method: 'PUT' });
    expect([put.status, put.headers.get('allow')]).toEqual([405, 'GET, POST']);
    expect(put.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('answers a form posted to the broker login page of an IdP that takes none (any but the mocked users) with a page', async () => {
    const post = await fetch(`${server.baseUrl}/realms/nemlogin/broker/some-idp/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'tx=x&username=alice',
    });
    expect(post.status).toBe(404);
    expect(post.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await post.text()).toContain('<h1>Not found</h1>');
  });

  // Refused before any controller: too large (over 256 KB even at the SAML endpoint, or more pairs than
  // any request has: request-bodies.ts), any type but a form, before it is read, and empty JSON.
  const manyPairs = Array.from({ length: MAX_FORM_PAIRS + 1 }, (_, i) => `p${i}=v`).join('&');
  const NO_FORM = 'in a format the login service does not accept';
  const refusedBodies: [string, number, string, string, string][] = [
    ['too large', 413, 'application/x-www-form-urlencoded', `SAMLResponse=${'x'.repeat(300 * 1024)}`, 'Too much was sent'],
    ['of more pairs than any request has', 413, 'application/x-www-form-urlencoded', manyPairs, 'Too much was sent'],
    ['of a type no parser takes', 415, 'multipart/form-data; boundary=x', '--x--', NO_FORM],
    ['declared JSON but malformed', 415, 'application/json', '{"a":', NO_FORM],
    ['declared JSON but empty', 400, 'application/json', '', 'incomplete or malformed'],
    ['of plain text', 415, 'text/plain', 'SAMLResponse=x', NO_FORM],
  ];

  it.each(refusedBodies)(
    'answers a body %s posted to a browser route with a page that says so, status %i kept',
    async (_what, status, type, body, says) => {
      const paths = [
        '/realms/nemlogin/broker/nemlog-in/endpoint',
        '/realms/nemlogin/broker/mock/login',
        '/realms/nemlogin/protocol/openid-connect/auth',
        '/realms/nemlogin/protocol/openid-connect/logout',
        '/realms/nemlogin/protocol/openid-connect/logout/confirm',
      ];
      for (const path of paths) {
        const response = await fetch(`${server.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': type }, body });
        expect(response.status).toBe(status);
        expect(response.headers.get('content-type')).toMatch(/^text\/html/);
        expect(response.headers.get('x-frame-options')).toBe('DENY');
        expect(await response.text()).toContain(says);
      }
    },
  );

  it.each(refusedBodies)('answers a body %s posted to an API route with an RFC 6749 body, as before', async (_what, status, type, body) => {
    const oidc = `${server.baseUrl}/realms/nemlogin/protocol/openid-connect`;
    for (const url of [`${oidc}/token`, `${oidc}/token/introspect`, `${server.baseUrl}/admin/realms/nemlogin/keys/rotate`]) {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': type }, body });
      // RFC 6749 §5.2 answers 400 for anything malformed; only a body too large keeps its 413.
      expect(response.status).toBe(status === 413 ? 413 : 400);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await response.json()).toEqual(RFC_6749_BODY);
    }
  });

  it('reads a JSON body at no route but the admin API, and there only up to 1 KB: one larger than any limit is refused unread', async () => {
    const json = JSON.stringify({ SAMLResponse: 'x'.repeat(300 * 1024) });
    const post = (path: string) =>
      fetch(`${server.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: json });
    for (const path of ['/realms/nemlogin/broker/nemlog-in/endpoint', '/realms/nemlogin/protocol/openid-connect/auth']) {
      const page = await post(path);
      expect([page.status, page.headers.get('accept')]).toEqual([415, 'application/x-www-form-urlencoded']);
      expect(await page.text()).toContain(NO_FORM);
    }
    const token = await post('/realms/nemlogin/protocol/openid-connect/token');
    expect(token.status).toBe(400);
    expect(await token.json()).toEqual(RFC_6749_BODY);
    expect((await post('/admin/realms/nemlogin/keys/rotate')).status).toBe(413);
  });

  it('reads a form of up to 256 KB at the SAML endpoint only: elsewhere one over 64 KB is too large', async () => {
    const body = `SAMLResponse=${'x'.repeat(100 * 1024)}&RelayState=r`;
    const post = (path: string) =>
      fetch(`${server.baseUrl}/realms/nemlogin/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
    const acs = await post('broker/nemlog-in/endpoint');
    expect(acs.status).toBe(400);
    expect(await acs.text()).not.toContain('Too much was sent');
    for (const path of ['protocol/openid-connect/token', 'protocol/openid-connect/auth', 'protocol/openid-connect/logout'])
      expect([path, (await post(path)).status]).toEqual([path, 413]);
  });

  // The 408 case: a 1 s limit, checked every second; rawExchange gives up (closed: false) after 10 s.
  it.each([
    [
      'what node cannot parse (a NUL in a header)',
      400,
      'POST /realms/nemlogin/protocol/openid-connect/token HTTP/1.1\r\nHost: x\r\nCookie: a=\u0000\r\nContent-Length: 0\r\n\r\n',
    ],
    [
      'headers over node’s 16 KB',
      431,
      `GET /realms/nemlogin/protocol/openid-connect/certs HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    ],
    [
      'a request whose body never comes (instead of holding it open)',
      408,
      'POST /realms/nemlogin/protocol/openid-connect/token HTTP/1.1\r\nHost: x\r\n' +
        'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ngrant_type',
    ],
    [
      'a chunked body node cannot parse',
      400,
      'POST /realms/nemlogin/protocol/openid-connect/token HTTP/1.1\r\nHost: x\r\n' +
        'Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n3\r\ngra\r\nZZ\r\n',
    ],
  ])('answers %s with %i and an RFC 6749 body, and closes', async (_what, status, request) => {
    const answer = await rawExchange(port, request);
    expect(answer.head).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    expect(JSON.parse(answer.body)).toEqual(RFC_6749_BODY);
    expect(answer.closed).toBe(true);
  });

  // RFC 9110 §8.4: the parsers read the bytes as they came, so a body in a content coding would be
  // read as garbage, or (labelled but plain) as a form a decoding proxy reads otherwise.
  it('refuses a body in a content coding, read or not, and starts nothing; identity is no coding', async () => {
    const form = 'grant_type=client_credentials&scope=xis';
    const token = (encoding: string, body: string | Blob) =>
      fetch(`${server.baseUrl}/realms/nemlogin/protocol/openid-connect/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-encoding': encoding,
          authorization: `Basic ${Buffer.from(`portal:${TEST_SECRETS.portal}`).toString('base64')}`,
          organisation_agb: TEST_TENANTS.allowed,
        },
        body,
      });
    for (const [encoding, body] of [
      ['gzip', form],
      ['gzip', new Blob([new Uint8Array(gzipSync(form))])],
      ['x-unknown', form],
    ] as const) {
      const refused = await token(encoding, body);
      expect([encoding, refused.status, refused.headers.get('accept-encoding')]).toEqual([encoding, 400, 'identity']);
      expect(await refused.json()).toEqual(RFC_6749_BODY);
    }
    for (const none of [' Identity', '', 'identity, ,identity']) expect([none, (await token(none, form)).status]).toEqual([none, 200]);
    expect((await token('identity, gzip', form)).status).toBe(400);

    const login = await fetch(`${server.baseUrl}/realms/nemlogin/protocol/openid-connect/auth`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': 'x-unknown' },
      body: 'client_id=patient-app&response_type=code&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcallback',
    });
    expect([login.status, login.headers.get('set-cookie')]).toEqual([415, null]);
    expect(login.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await login.text()).toContain('in a format the login service does not accept');
  });

  // Bytes node cannot parse right behind a request destroy the connection while that request is still
  // answered, as does a client that gives up waiting. Its address is the one it had when it came.
  it('records a refused token request whose connection is gone before its answer with its address, and fails nothing', async () => {
    const body = 'grant_type=client_credentials&client_id=nobody&client_secret=x';
    await rawExchange(
      port,
      'POST /realms/nemlogin/protocol/openid-connect/token HTTP/1.1\r\nHost: x\r\n' +
        `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body}garbage\r\n\r\n`,
    );
    const db = server.app.get<Database>(DATABASE);
    const [refused] = await eventuallyRefusalEvents(db, { type: 'CLIENT_LOGIN_ERROR' }, 1);
    expect(refused).toMatchObject({ client_id: null, ip_address: '127.0.0.1' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(server.logs.filter((line) => /"level":50/.test(line))).toEqual([]);
  });

  // What node refuses of a body it was reading for a browser route: the page, in the request's language.
  it.each([
    [
      'a form that never arrives whole',
      408,
      'Content-Length: 100\r\n\r\nSAMLResponse=',
      'en',
      'did not finish sending the request in time',
    ],
    ['a chunked form node cannot parse', 400, 'Transfer-Encoding: chunked\r\n\r\n3\r\nSAM\r\nZZ\r\n', 'nl', 'onvolledig of ongeldig'],
  ])('answers %s posted to the ACS with %i and a page that says so, and closes', async (_what, status, rest, language, says) => {
    const answer = await rawExchange(
      port,
      'POST /realms/nemlogin/broker/nemlog-in/endpoint HTTP/1.1\r\nHost: x\r\n' +
        `Accept-Language: ${language}\r\nContent-Type: application/x-www-form-urlencoded\r\n${rest}`,
    );
    expect(answer.head).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    expect(answer.head).toMatch(/\r\nContent-Type: text\/html; charset=utf-8\r\n/);
    expect(answer.head).toMatch(new RegExp(`\\r\\nContent-Language: ${language}\\r\\n`));
    expect(answer.head).toMatch(/\r\nX-Frame-Options: DENY\r\n/);
    expect(answer.body).toContain(says);
    // The page's reference is the request's id, as on every other error page.
    const reference = /\r\nx-request-id: ([\w-]+)\r\n/.exec(answer.head)?.[1];
    expect(answer.body).toContain(`<code>${reference}</code>`);
    expect(answer.closed).toBe(true);
  });
});
