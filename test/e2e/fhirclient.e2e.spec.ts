import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
import { freePort } from '../support/free-port.js';
import { startStaticApp, type StaticApp } from '../support/static-app.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * A SMART App Launch 2.x standalone launch with fhirclient (SMART's JS client 2.x, its browser
 * bundle) in headless Chromium, against the demo FHIR base of the realm: it discovers the
 * authorization server from the FHIR base's smart-configuration, logs the mocked citizen in (PKCE,
 * `aud` = the FHIR base), reads the launch patient from that base with the access token, refreshes
 * its tokens the way fhirclient does by default (`online_access`, no `client_id`), and reads the
 * patient's Observations by the search parameter the base's CapabilityStatement names.
 */
describe('fhirclient standalone launch in a real browser', () => {
  let server: TestServer;
  let app: StaticApp;
  let browser: Browser;

  beforeAll(async () => {
    const appPort = await freePort();
    const appOrigin = `http://127.0.0.1:${appPort}`;
    server = await startTestServer({
      patch: (raw) => {
        raw.realms[0].clients.push({
          clientId: 'smart-app',
          type: 'public',
          redirectUris: [`${appOrigin}/index.html`],
          webOrigins: ['+'],
          grantTypes: ['authorization_code', 'refresh_token'],
        });
      },
    });
    const iss = `${server.baseUrl}/fhir/nemlogin`;
    // One Observation of the citizen's and one of someone else's, for client.patient.request('Observation').
    for (const patient of ['demo-patient-nancy', 'demo-patient-bo']) {
      const observation = {
        resourceType: 'Observation',
        status: 'final',
        code: { text: 'pulse' },
        subject: { reference: `Patient/${patient}` },
      };
      const created = await fetch(`${iss}/Observation`, {
        method: 'POST',
        headers: { 'content-type': 'application/fhir+json' },
        body: JSON.stringify(observation),
      });
      expect(created.status).toBe(201);
    }
    const launch = `<!DOCTYPE html><html><head><meta charset="utf-8"><script src="/fhir-client.js"></script></head><body><p>launching</p>
<script>
FHIR.oauth2
  .authorize({ iss: '${iss}', clientId: 'smart-app', scope: 'openid fhirUser launch/patient online_access patient/*.rs', redirectUri: 'index.html', pkceMode: 'required' })
  .catch((error) => { window.launchError = String(error); });
</script></body></html>`;
    const index = `<!DOCTYPE html><html><head><meta charset="utf-8"><script src="/fhir-client.js"></script></head><body><p>app</p>
<script>
FHIR.oauth2.ready()
  .then(async (client) => {
    const patient = await client.patient.read();
    const first = client.state.tokenResponse.access_token;
    // fhirclient's defaults: a refresh needs online_access (or offline_access) granted, and sends no client_id.
    await client.refresh();
    const again = await client.patient.read();
    // The patient's Observations: fhirclient finds the parameter that scopes them by patient in the CapabilityStatement.
    const observations = await client.patient.request('Observation');
    window.result = {
      patient,
      patientId: client.patient.id,
      fhirUser: client.getFhirUser(),
      scope: client.state.tokenResponse.scope,
      refreshed: client.state.tokenResponse.access_token !== first,
      readAfterRefresh: again.id,
      observations: (observations.entry || []).map((entry) => entry.resource.subject.reference),
    };
  })
  .catch((error) => { window.launchError = String(error); });
</script></body></html>`;
    app = await startStaticApp(
      appPort,
      { '/launch.html': launch, '/index.html': index },
      { '/fhir-client.js': 'node_modules/fhirclient/build/fhir-client.min.js' },
    );
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await server?.close();
  });

  it('launch → mocked citizen → client.patient.read() returns the logged-in citizen’s Patient; client.refresh() with fhirclient’s defaults; client.patient.request() finds only theirs', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    await page.goto(`${app.origin}/launch.html`);
    await page.getByRole('heading', { name: /Mocked login/ }).waitFor();
    await page.getByRole('button', { name: /Alice Andersen/ }).click();
    await page.waitForFunction(() => {
      const w = window as unknown as { result?: unknown; launchError?: string };
      return w.result !== undefined || w.launchError !== undefined;
    });
    const outcome = await page.evaluate(() => {
      const w = window as unknown as { result?: Record<string, any>; launchError?: string };
      return { result: w.result, error: w.launchError };
    });
    expect(outcome.error).toBeUndefined();
    expect(outcome.result).toMatchObject({
      patientId: 'demo-patient-nancy',
      patient: { resourceType: 'Patient', id: 'demo-patient-nancy', identifier: [{ value: '0101011234' }] },
      fhirUser: 'Patient/demo-patient-nancy',
      scope: 'openid fhirUser launch/patient online_access patient/*.rs',
      refreshed: true,
      readAfterRefresh: 'demo-patient-nancy',
      observations: ['Patient/demo-patient-nancy'],
    });
    await context.close();
  });
});
