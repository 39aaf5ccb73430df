import { loginTokens, refresh } from '../support/login-flow.js';
import { parseMetrics, sampleSum, sampleValue, scrape } from '../support/prometheus.js';
import { TEST_SECRETS } from '../support/test-config.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { basic, postForm } from '../support/token-requests.js';

const TOKEN_ROUTE = '/realms/:realm/protocol/openid-connect/token';

/**
 * `/metrics` as Prometheus reads it (a strict line check, then a text-format parser) and as
 * operators use it: counters that move with logins, grants and FHIR round trips, request durations
 * by route template, one registry per application.
 */
describe('Prometheus metrics', () => {
  let server: TestServer;
  let metricsUrl: string;

  beforeAll(async () => {
    server = await startTestServer();
    metricsUrl = `${server.baseUrl}/metrics`;
  });
  afterAll(() => server.close());

  const clientCredentials = (secret: string) =>
    postForm(
      `${server.baseUrl}/realms/nemlogin/protocol/openid-connect/token`,
      new URLSearchParams({ grant_type: 'client_credentials', scope: 'system/*.read' }),
      { authorization: basic('system', secret) },
    );

  it('serves the text exposition format with process, event-loop and service metrics', async () => {
    const response = await fetch(metricsUrl);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const metrics = parseMetrics(await response.text());
    const names = metrics.families.map((f) => f.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'process_cpu_user_seconds_total',
        'process_resident_memory_bytes',
        'nodejs_eventloop_lag_seconds',
        'nodejs_heap_size_used_bytes',
        'federation_http_request_duration_seconds',
        'federation_logins_total',
        'federation_grants_total',
        'federation_refresh_token_reuse_total',
        'federation_fhir_requests_total',
        'federation_fhir_request_duration_seconds',
        'federation_saml_queue_depth',
        'federation_saml_logout_queue_depth',
        'federation_fhir_audit_queue_entries',
        'federation_fhir_audit_queue_oldest_seconds',
        'federation_backchannel_logout_queue_entries',
        'federation_backchannel_logout_queue_oldest_seconds',
        'federation_backchannel_logout_attempts_total',
      ]),
    );
    expect(sampleValue(metrics, 'federation_saml_queue_depth')).toBe(0);
    expect(sampleValue(metrics, 'federation_saml_logout_queue_depth')).toBe(0);
  });

  it('counts a grant by type and outcome, a refused one by its error code', async () => {
    const before = await scrape(metricsUrl);
    expect((await clientCredentials(TEST_SECRETS.system)).status).toBe(200);
    expect((await clientCredentials('wrong-secret')).status).toBe(401);
    const after = await scrape(metricsUrl);
    const grants = (outcome: string) => ({ grant_type: 'client_credentials', outcome });
    expect(sampleValue(after, 'federation_grants_total', grants('success'))).toBe(
      sampleValue(before, 'federation_grants_total', grants('success')) + 1,
    );
    expect(sampleValue(after, 'federation_grants_total', grants('invalid_client'))).toBe(
      sampleValue(before, 'federation_grants_total', grants('invalid_client')) + 1,
    );
  });

  it('labels a grant type it does not implement as other, so clients cannot add series', async () => {
    const response = await postForm(
      `${server.baseUrl}/realms/nemlogin/protocol/openid-connect/token`,
      new URLSearchParams({ grant_type: 'urn:example:made-up-123' }),
      { authorization: basic('system', TEST_SECRETS.system) },
    );
    expect(response.status).toBe(400);
    const text = await (await fetch(metricsUrl)).text();
    expect(text).not.toContain('made-up-123');
    expect(sampleValue(parseMetrics(text), 'federation_grants_total', { grant_type: 'other', outcome: 'unsupported_grant_type' })).toBe(1);
  });

  it('counts a login by realm, IdP and outcome, and the FHIR round trip it made', async () => {
    const before = await scrape(metricsUrl);
    const tokens = await loginTokens(server.baseUrl, 'nemlogin', 'alice');
    expect(tokens.access_token).toBeDefined();
    const after = await scrape(metricsUrl);
    const login = { realm: 'nemlogin', idp: 'mock', outcome: 'success' };
    expect(sampleValue(after, 'federation_logins_total', login)).toBe(sampleValue(before, 'federation_logins_total', login) + 1);
    const code = { grant_type: 'authorization_code', outcome: 'success' };
    expect(sampleValue(after, 'federation_grants_total', code)).toBe(sampleValue(before, 'federation_grants_total', code) + 1);
    // Alice's CPR is searched in FHIR once: a read round trip, counted and timed.
    const reads = { kind: 'read', outcome: 'ok' };
    expect(sampleValue(after, 'federation_fhir_request_duration_seconds_count', reads)).toBeGreaterThan(
      sampleValue(before, 'federation_fhir_request_duration_seconds_count', reads),
    );
    expect(sampleValue(after, 'federation_fhir_requests_total', { kind: 'read' })).toBeGreaterThan(
      sampleValue(before, 'federation_fhir_requests_total', { kind: 'read' }),
    );
  });

  it('counts a refresh token presented again after rotation', async () => {
    const tokens = await loginTokens(server.baseUrl, 'nemlogin', 'alice');
    expect((await refresh(server.baseUrl, 'nemlogin', tokens.refresh_token as string)).status).toBe(200);
    const before = await scrape(metricsUrl);
    expect((await refresh(server.baseUrl, 'nemlogin', tokens.refresh_token as string)).status).toBe(400);
    const after = await scrape(metricsUrl);
    const reuse = { realm: 'nemlogin' };
    expect(sampleValue(after, 'federation_refresh_token_reuse_total', reuse)).toBe(
      sampleValue(before, 'federation_refresh_token_reuse_total', reuse) + 1,
    );
    const refused = { grant_type: 'refresh_token', outcome: 'invalid_grant' };
    expect(sampleValue(after, 'federation_grants_total', refused)).toBe(sampleValue(before, 'federation_grants_total', refused) + 1);
  });

  it('counts a refused login by the error sent to the client', async () => {
    const before = await scrape(metricsUrl);
    // lowloa's level of assurance is below the realm's minimum: the mocked login is refused with a page.
    await expect(loginTokens(server.baseUrl, 'nemlogin', 'lowloa')).rejects.toThrow();
    const after = await scrape(metricsUrl);
    const logins = (metrics: typeof after) => sampleSum(metrics, 'federation_logins_total', { realm: 'nemlogin', idp: 'mock' });
    const successes = (metrics: typeof after) =>
      sampleValue(metrics, 'federation_logins_total', { realm: 'nemlogin', idp: 'mock', outcome: 'success' });
    expect(logins(after)).toBe(logins(before) + 1);
    expect(successes(after)).toBe(successes(before));
  });

  it('times requests by route template and status, never by the raw path', async () => {
    await clientCredentials(TEST_SECRETS.system);
    await fetch(`${server.baseUrl}/realms/nemlogin/no-such-path-4711`);
    const text = await (await fetch(metricsUrl)).text();
    const metrics = parseMetrics(text);
    const count = (labels: Record<string, string>) => sampleValue(metrics, 'federation_http_request_duration_seconds_count', labels);
    expect(count({ method: 'POST', route: TOKEN_ROUTE, status: '200' })).toBeGreaterThan(0);
    expect(count({ method: 'GET', route: 'unmatched', status: '404' })).toBeGreaterThan(0);
    expect(text).not.toContain('no-such-path-4711');
    expect(text).not.toContain('route="/realms/nemlogin');
  });

  it('keeps one registry per application: a second instance in the same process counts on its own', async () => {
    const other = await startTestServer();
    try {
      const before = await scrape(`${other.baseUrl}/metrics`);
      await clientCredentials(TEST_SECRETS.system);
      const after = await scrape(`${other.baseUrl}/metrics`);
      const success = { grant_type: 'client_credentials', outcome: 'success' };
      expect(sampleValue(after, 'federation_grants_total', success)).toBe(sampleValue(before, 'federation_grants_total', success));
    } finally {
      await other.close();
    }
  });
});
