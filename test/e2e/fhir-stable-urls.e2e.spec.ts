import { decodeJwt } from 'jose';
import { freePort } from '../support/free-port.js';
import { loginTokens } from '../support/login-flow.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const APP_ORIGIN = 'http://127.0.0.1:5173';

/**
 * The embedded FHIR server on the service's own port: each realm's base is `{publicUrl}/fhir/{realm}`,
 * so the FHIR URLs in tokens survive a restart, and a SMART app can read its metadata and data there
 * from the browser.
 */
describe('embedded FHIR server under the service’s own URL', () => {
  const patch = (raw: Record<string, any>) => {
    raw.realms[0].clients.find((c: { clientId: string }) => c.clientId === 'patient-app').webOrigins = [APP_ORIGIN];
    raw.realms[1].fhir = undefined;
    // A realm of clinicians, as the demo's ehealth: they reach a patient only by choosing one (contexts).
    raw.realms[1].mockUsers = [
      { username: 'clinician', kind: 'clinician', identifiers: [{ system: 'urn:test:clinician', value: 'urls' }] },
    ];
  };
  let port: number;
  let server: TestServer;

  beforeAll(async () => {
    port = await freePort();
    server = await startTestServer({ port, patch });
  });
  afterAll(() => server?.close());

  it('names the logged-in citizen at {publicUrl}/fhir/{realm}, readable there, and the same after a restart', async () => {
    const base = `${server.baseUrl}/fhir/nemlogin`;
    const access = decodeJwt((await loginTokens(server.baseUrl, 'nemlogin', 'alice')).access_token);
    expect(access).toMatchObject({
      fhirUser: `${base}/Patient/demo-patient-nancy`,
      user_id: `${base}/Patient/demo-patient-nancy`,
      context: { patient_id: `${base}/Patient/demo-patient-nancy` },
    });
    const patient = await fetch(access.fhirUser as string, { headers: { authorization: 'Bearer x' } });
    expect(patient.status).toBe(200);
    expect(patient.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
    expect(await patient.json()).toMatchObject({ resourceType: 'Patient', id: 'demo-patient-nancy' });
    const search = (await (await fetch(`${base}/Patient?_id=demo-patient-nancy`)).json()) as { entry: { fullUrl: string }[] };
    expect(search.entry.map((e) => e.fullUrl)).toEqual([`${base}/Patient/demo-patient-nancy`]);

    await server.close();
    server = await startTestServer({ port, patch });
    const again = decodeJwt((await loginTokens(server.baseUrl, 'nemlogin', 'alice')).access_token);
    expect(again.fhirUser).toBe(access.fhirUser);
    expect((await fetch(again.fhirUser as string)).status).toBe(200);
  });

  /**
   * SMART App Launch 2.x §"Conformance": a realm advertises a standalone launch with patient context
   * only where the launch's token response names a patient (citizens), patient-level scopes only where
   * a token can carry them beside a patient (citizens; clinicians once they choose one), and `ssl`,
   * whose test realm has no one in FHIR, neither.
   */
  const PATIENT_CAPABILITIES: Record<string, string[]> = {
    nemlogin: ['context-standalone-patient', 'permission-patient'],
    ehealth: ['permission-patient'],
    ssl: [],
  };

  it('gives each realm its own base over the one store: each base’s SMART configuration and CapabilityStatement name its realm', async () => {
    for (const [realm, patientCapabilities] of Object.entries(PATIENT_CAPABILITIES)) {
      const base = `${server.baseUrl}/fhir/${realm}`;
      const issuer = `${server.baseUrl}/realms/${realm}`;
      const smart = await fetch(`${base}/.well-known/smart-configuration`);
      expect(smart.status).toBe(200);
      const configuration = (await smart.json()) as { capabilities: string[]; scopes_supported: string[] };
      expect(configuration).toMatchObject({
        issuer,
        authorization_endpoint: `${issuer}/protocol/openid-connect/auth`,
        token_endpoint: `${issuer}/protocol/openid-connect/token`,
        capabilities: expect.arrayContaining(['launch-standalone', 'permission-user']),
      });
      const patientOnes = ['context-standalone-patient', 'permission-patient'];
      expect([realm, configuration.capabilities.filter((c) => patientOnes.includes(c))]).toEqual([realm, patientCapabilities]);
      const patientScopes =
        configuration.scopes_supported.includes('launch/patient') && configuration.scopes_supported.includes('patient/*.rs');
      expect([realm, patientScopes]).toEqual([realm, patientCapabilities.includes('permission-patient')]);
      const metadata = (await (await fetch(`${base}/metadata`)).json()) as Record<string, any>;
      expect(metadata).toMatchObject({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1', implementation: { url: base } });
      expect(metadata.rest[0].security.extension[0]).toEqual({
        url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
        extension: [
          { url: 'authorize', valueUri: `${issuer}/protocol/openid-connect/auth` },
          { url: 'token', valueUri: `${issuer}/protocol/openid-connect/token` },
          { url: 'introspect', valueUri: `${issuer}/protocol/openid-connect/token/introspect` },
          { url: 'revoke', valueUri: `${issuer}/protocol/openid-connect/revoke` },
        ],
      });
      // One store: the same patient under each base.
      expect((await fetch(`${base}/Patient/demo-patient-bo`)).status).toBe(200);
    }
    expect((await fetch(`${server.baseUrl}/fhir/nowhere/.well-known/smart-configuration`)).status).toBe(404);
    expect((await fetch(`${server.baseUrl}/fhir/nowhere/Patient/demo-patient-bo`)).status).toBe(404);
  });

  it('answers CORS for the realm’s registered web origins, preflight with Authorization included; any page may read its metadata', async () => {
    const base = `${server.baseUrl}/fhir/nemlogin`;
    const preflight = (origin: string) =>
      fetch(`${base}/Patient/demo-patient-nancy`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
      });
    const allowed = await preflight(APP_ORIGIN);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(allowed.headers.get('access-control-allow-headers')).toContain('authorization');
    expect((await preflight('http://evil.example')).headers.get('access-control-allow-origin')).toBeNull();

    const read = await fetch(`${base}/Patient/demo-patient-nancy`, { headers: { origin: APP_ORIGIN, authorization: 'Bearer x' } });
    expect(read.status).toBe(200);
    expect(read.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(read.headers.get('access-control-expose-headers')).toContain('ETag');
    // The ehealth realm's clients register no web origin: its base answers none.
    const otherRealm = await fetch(`${server.baseUrl}/fhir/ehealth/Patient/demo-patient-nancy`, { headers: { origin: APP_ORIGIN } });
    expect(otherRealm.headers.get('access-control-allow-origin')).toBeNull();

    const metadata = await fetch(`${base}/.well-known/smart-configuration`, { headers: { origin: 'http://any.example' } });
    expect(metadata.headers.get('access-control-allow-origin')).toBe('*');
  });
});
