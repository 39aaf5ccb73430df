import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * The log lines of code that holds no request (Nest's Logger in controllers and services: a refusal's
 * reason) carry the request id, as the "request completed" line does: the reference a refusal page
 * shows, and `X-Request-Id`, find the reason. A suite of its own: Nest's Logger writes to the
 * application created last in the process, and other suites create several.
 */
describe('request ids on the lines of a refusal', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('puts a refusal’s reason on a line with the request id its page shows, also after a form body was read', async () => {
    const lines = () => server.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
    // Several at once: each line is its own request's, never one handled beside it.
    const gets = await Promise.all(
      Array.from({ length: 10 }, () =>
        fetch(`${server.baseUrl}/realms/nemlogin/protocol/openid-connect/auth?client_id=nobody&redirect_uri=https://x.example/cb`),
      ),
    );
    for (const get of gets) expect(get.status).toBe(400);
    const post = await fetch(`${server.baseUrl}/realms/nemlogin/protocol/openid-connect/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'client_id=nobody',
    });
    expect(post.status).toBe(400);
    for (const [response, msg] of [
      ...gets.map((get) => [get, 'authorization request refused'] as const),
      [post, 'logout refused: unknown client_id, or a post_logout_redirect_uri not registered for it'] as const,
    ]) {
      const reqId = response.headers.get('x-request-id');
      expect(
        lines()
          .filter((line) => line.reqId === reqId)
          .map((line) => line.msg),
      ).toEqual([msg, 'request completed']);
    }
    // Written by no request, a line names none.
    expect(lines().find((line) => line.msg === 'federation service listening' || line.context === 'NestApplication')).not.toHaveProperty(
      'reqId',
    );
  });
});
