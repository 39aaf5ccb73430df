import { freePort } from '../support/free-port.js';
import { sendJson, startStubServer } from '../support/fhir/stub-http-server.js';
import { parseMetrics, sampleValue } from '../support/prometheus.js';
import { rawExchange } from '../support/raw-exchange.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * `managementPort` (Keycloak's management interface): `/health/*` and `/metrics` on a port of their
 * own, `/metrics` no longer on the public one; readiness reports FHIR reachability beside the database.
 */
describe('the management port and readiness', () => {
  let server: TestServer;
  let management: string;

  beforeAll(async () => {
    const port = await freePort();
    management = `http://127.0.0.1:${port}`;
    server = await startTestServer({
      patch: (raw) => {
        raw.managementPort = port;
        raw.limits = { ...raw.limits, requestTimeoutSeconds: 1 };
      },
    });
  });
  afterAll(() => server.close());

  it('closes a request that never arrives whole, as the public port does (limits.requestTimeoutSeconds)', async () => {
    // Headers never finished: without the limit node would wait 60 s for them; checked every second here.
    const answer = await rawExchange(Number(new URL(management).port), 'GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ', 10_000);
    expect(answer.closed).toBe(true);
  });

  it('says nosniff and no-referrer on every answer, as the public port does (common/security-headers.ts)', async () => {
    for (const path of ['/health/live', '/health/ready', '/metrics', '/no-such-path']) {
      const response = await fetch(`${management}${path}`);
      expect([path, response.headers.get('x-content-type-options'), response.headers.get('referrer-policy')]).toEqual([
        path,
        'nosniff',
        'no-referrer',
      ]);
    }
  });

  it('serves metrics and health on the management port, and no longer metrics on the public one', async () => {
    expect((await fetch(`${server.baseUrl}/metrics`)).status).toBe(404);
    await fetch(`${server.baseUrl}/health/live`);
    const response = await fetch(`${management}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const metrics = parseMetrics(await response.text());
    // The public port's traffic is what it counts.
    expect(
      sampleValue(metrics, 'federation_http_request_duration_seconds_count', { route: '/health/live', status: '200' }),
    ).toBeGreaterThan(0);
    expect(await (await fetch(`${management}/health/live`)).json()).toEqual({ status: 'ok' });
  });

  it('is ready with its database and FHIR, on both ports', async () => {
    for (const base of [management, server.baseUrl]) {
      const ready = await fetch(`${base}/health/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ok', database: 'ok', fhir: 'ok' });
    }
  });

  it('is degraded but still ready when only FHIR is away', async () => {
    const nobody = await freePort();
    const instance = await startTestServer({
      patch: (raw) => (raw.fhir = { baseUrl: `http://127.0.0.1:${nobody}/fhir`, timeoutMs: 2000 }),
    });
    try {
      const ready = await fetch(`${instance.baseUrl}/health/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'degraded', database: 'ok', fhir: 'unreachable' });
    } finally {
      await instance.close();
    }
  });

  it('shares one probe among the requests of a second: a stranger polling readiness does not pass each request on to FHIR', async () => {
    const fhir = await startStubServer((response) => sendJson(response, 200, { resourceType: 'CapabilityStatement', status: 'active' }));
    const instance = await startTestServer({ patch: (raw) => (raw.fhir = { baseUrl: fhir.baseUrl, timeoutMs: 2000 }) });
    try {
      const asked = fhir.urls.length;
      const answers = await Promise.all(Array.from({ length: 50 }, () => fetch(`${instance.baseUrl}/health/ready`).then((r) => r.json())));
      expect(new Set(answers.map((answer) => JSON.stringify(answer)))).toEqual(
        new Set([JSON.stringify({ status: 'ok', database: 'ok', fhir: 'ok' })]),
      );
      expect(fhir.urls.length - asked).toBeLessThanOrEqual(2);
    } finally {
      await instance.close();
      await fhir.close();
    }
  });

  it('answers degraded within its one-second FHIR probe when FHIR accepts the request but never answers', async () => {
    const fhir = await startStubServer(() => {});
    // A FHIR timeout of two minutes: readiness must not wait that long.
    const instance = await startTestServer({ patch: (raw) => (raw.fhir = { baseUrl: fhir.baseUrl, timeoutMs: 120_000 }) });
    try {
      const asked = Date.now();
      const ready = await fetch(`${instance.baseUrl}/health/ready`);
      expect(await ready.json()).toEqual({ status: 'degraded', database: 'ok', fhir: 'unreachable' });
      expect(Date.now() - asked).toBeLessThan(30_000);
      expect(fhir.urls.at(-1)).toMatch(/\/metadata$/);
    } finally {
      await instance.close();
      await fhir.close();
    }
  });

  it('stops listening when the application closes', async () => {
    const port = await freePort();
    const instance = await startTestServer({ patch: (raw) => (raw.managementPort = port) });
    expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200);
    await instance.close();
    await expect(fetch(`http://127.0.0.1:${port}/health/live`)).rejects.toThrow();
  });
});
