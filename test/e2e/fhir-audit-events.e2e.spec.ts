import { decodeJwt } from 'jose';
import { FhirAuditDelivery } from '../../src/audit/fhir-audit-delivery.service.js';
import { startEmbeddedFhirServer, type EmbeddedFhirServer } from '../../src/fhir/embedded/embedded-fhir-server.js';
import { FhirAuditOutboxRepository } from '../../src/storage/fhir-audit-outbox.repository.js';
import { adminCall, adminToken, withAdminClients } from '../support/admin-api.js';
import { startSwitchableFhirProxy, type SwitchableFhirProxy } from '../support/fhir/switchable-proxy.js';
import { loginTokens, refresh } from '../support/login-flow.js';
import { sampleValue, scrape } from '../support/prometheus.js';
import { TestClock } from '../support/test-clock.js';
import { TEST_SECRETS, TEST_TENANTS } from '../support/test-config.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { basic, postForm } from '../support/token-requests.js';

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const ALICE_CPR = '0101011234';

/**
 * FHIR AuditEvents (issue 13; realms[].audit.fhir): each login, logout and token exchange reaches the
 * realm's FHIR server (here the embedded one behind a proxy that can fail), shaped after BALP; an
 * AuditEvent that meets an outage waits in the database queue and arrives after it, and the login it
 * reports was not held up. Rounds of delivery are run by the test (the timer is set to an hour), and
 * the clock is moved by hand past the retry pause: nothing waits on time.
 */
describe('FHIR AuditEvents', () => {
  const clock = new TestClock();
  let fhir: EmbeddedFhirServer;
  let proxy: SwitchableFhirProxy;
  let server: TestServer;
  let oidc: string;

  beforeAll(async () => {
    fhir = await startEmbeddedFhirServer({ environment: 'test', seedFile: 'fixtures/fhir/demo.json' });
    proxy = await startSwitchableFhirProxy(fhir.baseUrl);
    server = await startTestServer({
      overrides: { clock },
      patch: (raw) => {
        raw.realms[0].fhir = { baseUrl: proxy.baseUrl };
        raw.realms[0].audit = { fhir: true };
        withAdminClients(raw.realms[0]);
        raw.audit = { fhirDelivery: { intervalMs: 3_600_000 } };
      },
    });
    oidc = `${server.baseUrl}/realms/nemlogin/protocol/openid-connect`;
  });
  afterAll(async () => {
    await server?.close();
    await proxy?.close();
    await fhir?.close();
  });

  const deliver = () => server.app.get(FhirAuditDelivery).deliverDue();
  const pending = () => server.app.get(FhirAuditOutboxRepository).pending('nemlogin');
  /** The AuditEvents the FHIR server holds, read from it directly (not through the proxy). */
  const stored = async (): Promise<Record<string, any>[]> => {
    const bundle = (await (await fetch(`${fhir.baseUrl}/AuditEvent?_count=100`)).json()) as { entry?: { resource: Record<string, any> }[] };
    return (bundle.entry ?? []).map((entry) => entry.resource);
  };
  const ofUser = (events: Record<string, any>[], sub: string) =>
    events.filter((event) => event.agent.some((agent: any) => agent.who?.identifier?.value === sub));
  const subtypes = (events: Record<string, any>[]) => events.map((event) => event.subtype[0].code).sort();

  it('a citizen’s login and a token exchange for them each reach the FHIR server as a patient-linked AuditEvent', async () => {
    const tokens = await loginTokens(server.baseUrl, 'nemlogin', 'alice');
    const { sub } = decodeJwt(tokens.access_token) as { sub: string };
    const exchanged = await postForm(
      `${oidc}/token`,
      new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: tokens.access_token,
        subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        audience: 'xis',
      }),
      { authorization: basic('portal', TEST_SECRETS.portal), organisation_agb: TEST_TENANTS.allowed },
    );
    expect(exchanged.status).toBe(200);

    expect(await deliver()).toEqual({ delivered: 2, failed: 0 });
    expect(await pending()).toEqual([]);
    const events = ofUser(await stored(), sub);
    expect(subtypes(events)).toEqual(['110122', 'ITI-71']);
    const login = events.find((event) => event.subtype[0].code === '110122')!;
    expect(login).toMatchObject({
      type: { system: DCM, code: '110114' },
      action: 'E',
      outcome: '0',
      source: { site: 'nemlogin' },
      entity: [{ what: { reference: 'Patient/demo-patient-nancy' }, role: { code: '1' } }],
    });
    expect(login.agent[1]).toMatchObject({ who: { identifier: { value: 'patient-app' } }, network: { address: '127.0.0.1' } });
    expect(JSON.stringify(events)).not.toContain(ALICE_CPR);
  });

  it('an AuditEvent queued while its endpoint is down waits without holding up the login, and arrives after the outage', async () => {
    proxy.mode = 'audit-down';
    // Alice's AuditEvents of this test are the ones recorded from now on.
    clock.advance(1);
    const since = clock.now().toISOString();
    const tokens = await loginTokens(server.baseUrl, 'nemlogin', 'alice');
    const { sub } = decodeJwt(tokens.access_token) as { sub: string };
    const recent = async () => ofUser(await stored(), sub).filter((event) => event.recorded >= since);
    await fetch(`${oidc}/logout?${new URLSearchParams({ id_token_hint: tokens.id_token })}`);

    expect(await deliver()).toEqual({ delivered: 0, failed: 2 });
    // /metrics shows the backlog and its age (the test clock has not moved since they were queued).
    const queued = await scrape(`${server.baseUrl}/metrics`);
    expect(sampleValue(queued, 'federation_fhir_audit_queue_entries')).toBe(2);
    expect(sampleValue(queued, 'federation_fhir_audit_queue_oldest_seconds')).toBe(0);
    const waiting = await pending();
    expect(waiting.map((entry) => [entry.attempts, entry.last_error])).toEqual([
      [1, 'FHIR create AuditEvent: HTTP 503'],
      [1, 'FHIR create AuditEvent: HTTP 503'],
    ]);
    expect(await recent()).toEqual([]);

    proxy.mode = 'down';
    clock.advance(5);
    expect(await deliver()).toEqual({ delivered: 0, failed: 2 });
    // Not due again before the doubled pause (10 s) has passed.
    expect(await deliver()).toEqual({ delivered: 0, failed: 0 });

    proxy.mode = 'up';
    clock.advance(10);
    // Counted again after at most a second (metrics/throttled-reading.ts): 15 s old now.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(sampleValue(await scrape(`${server.baseUrl}/metrics`), 'federation_fhir_audit_queue_oldest_seconds')).toBe(15);
    expect(await deliver()).toEqual({ delivered: 2, failed: 0 });
    expect(await pending()).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(sampleValue(await scrape(`${server.baseUrl}/metrics`), 'federation_fhir_audit_queue_entries')).toBe(0);
    expect(subtypes(await recent())).toEqual(['110122', '110123']);
  });

  /**
   * Who a Logout AuditEvent names as requestor (R4 AuditEvent.agent.requestor): the one who ended the
   * session, which is the user only for their own logout; it lands in the patient's access log.
   */
  describe('a Logout names who ended the session', () => {
    /** Alice's Logout AuditEvent of the session `tokens` belong to, once delivered; and her `sub`. */
    const logoutOf = async (tokens: Record<string, any>) => {
      const { sub } = decodeJwt(tokens.access_token) as { sub: string };
      await deliver();
      const logouts = ofUser(await stored(), sub).filter((event) => event.subtype[0].code === '110123' && event.recorded >= since);
      expect(logouts).toHaveLength(1);
      return { sub, logout: logouts[0]! };
    };
    /** Each agent as [who's value, requestor, network address]. */
    const agents = (event: Record<string, any>) =>
      event.agent.map((agent: any) => [agent.who?.identifier?.value, agent.requestor, agent.network?.address]);
    const ending = (event: Record<string, any>) => event.entity.find((entity: any) => entity.role.code === '13')?.detail;
    let since: string;
    beforeEach(() => {
      clock.advance(1);
      since = clock.now().toISOString();
    });

    it('a session an administrator ends: the admin client is the requestor, with its address; the user is not', async () => {
      const tokens = await loginTokens(server.baseUrl, 'nemlogin', 'alice');
      const sid = decodeJwt(tokens.access_token).sid as string;
      const ended = await adminCall(
        server.baseUrl,
        'DELETE',
        `nemlogin/sessions/${sid}`,
        await adminToken(server.baseUrl, 'nemlogin', 'operator'),
      );
      expect(ended.status).toBe(204);

      const { sub, logout } = await logoutOf(tokens);
      expect(agents(logout)).toEqual([
        [sub, false, undefined],
        ['patient-app', false, undefined],
        [expect.stringContaining('/realms/nemlogin'), false, undefined],
        ['operator', true, '127.0.0.1'],
      ]);
      expect(logout.agent[3]).toMatchObject({
        type: { coding: [{ system: DCM, code: '110150' }] },
        who: { identifier: { system: expect.stringMatching(/\/clients$/) } },
      });
      expect(ending(logout)).toEqual([{ type: 'by', valueString: 'admin' }]);
      // Still in the patient's access log.
      expect(logout.entity[0]).toMatchObject({ what: { reference: 'Patient/demo-patient-nancy' }, role: { code: '1' } });
    });

    it('a session ended for a reused refresh token: this service is the requestor, the reason a detail', async () => {
      const tokens = await loginTokens(server.baseUrl, 'nemlogin', 'alice');
      expect((await refresh(server.baseUrl, 'nemlogin', tokens.refresh_token)).status).toBe(200);
      expect((await refresh(server.baseUrl, 'nemlogin', tokens.refresh_token)).status).toBe(400);

      const { sub, logout } = await logoutOf(tokens);
      expect(agents(logout)).toEqual([
        [sub, false, undefined],
        ['patient-app', false, undefined],
        [expect.stringContaining('/realms/nemlogin'), true, undefined],
      ]);
      expect(ending(logout)).toEqual([
        { type: 'by', valueString: 'reuse' },
        { type: 'reason', valueString: 'refresh_token_reused' },
        { type: 'address', valueString: '127.0.0.1' },
      ]);
    });

    it('a user’s own logout stays theirs: the user is the requestor, their app has the address, no other agent', async () => {
      const tokens = await loginTokens(server.baseUrl, 'nemlogin', 'alice');
      await fetch(`${oidc}/logout?${new URLSearchParams({ id_token_hint: tokens.id_token })}`);

      const { sub, logout } = await logoutOf(tokens);
      expect(agents(logout)).toEqual([
        [sub, true, undefined],
        ['patient-app', false, '127.0.0.1'],
        [expect.stringContaining('/realms/nemlogin'), false, undefined],
      ]);
      expect(ending(logout)).toBeUndefined();
    });
  });
});
