import { rawExchange } from '../support/raw-exchange.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * Every answer says `nosniff` and `no-referrer` (security-headers.ts), whichever part of the service
 * sends it: a route, a refusal by the OAuth filter, a redirect, a page, a path no route serves, and a
 * request node's parser could not read, answered on the socket by hand.
 */
describe('security headers on every answer', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  const expectHeaders = (response: Response) => {
    expect([response.headers.get('x-content-type-options'), response.headers.get('referrer-policy')]).toEqual(['nosniff', 'no-referrer']);
  };

  it('on JSON, refusals, redirects, pages, unrouted paths and paths that cannot be decoded', async () => {
    const oidc = `${server.baseUrl}/realms/nemlogin/protocol/openid-connect`;
    const answers = [
      await fetch(`${server.baseUrl}/realms/nemlogin/.well-known/openid-configuration`),
      await fetch(`${oidc}/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials' }) }),
      await fetch(`${oidc}/auth?client_id=patient-app&redirect_uri=http://127.0.0.1/callback&response_type=code`, { redirect: 'manual' }),
      await fetch(`${oidc}/auth?client_id=nobody`, { headers: { accept: 'text/html' } }),
      await fetch(`${server.baseUrl}/no/such/path`),
      // A path Fastify cannot decode, refused before any hook runs (answerFrameworkError).
      await fetch(`${server.baseUrl}/realms/%E0%A4%A/.well-known/openid-configuration`),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([200, 401, 303, 400, 404, 400]);
    expect(answers.at(-1)!.headers.get('x-request-id')).toEqual(expect.any(String));
    for (const answer of answers) expectHeaders(answer);
  });

  it('on a request the HTTP parser refused, answered on the socket', async () => {
    const answer = await rawExchange(
      Number(new URL(server.baseUrl).port),
      'GET /realms/nemlogin HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n',
    );
    expect(answer.head).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer.head).toMatch(/\r\nX-Content-Type-Options: nosniff\r\n/);
    expect(answer.head).toMatch(/\r\nReferrer-Policy: no-referrer\r\n/);
  });
});
