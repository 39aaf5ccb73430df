import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startEmbeddedFhirServer, type EmbeddedFhirServer } from '../../src/fhir/embedded/embedded-fhir-server.js';
import { SessionRepository } from '../../src/storage/session.repository.js';
import { CookieJar } from '../support/cookie-jar.js';
import { citizenAttributes } from '../support/saml/saml-attributes.js';
import { postToAcs, startSamlLogin } from '../support/saml/saml-http-login.js';
import { startSamlTestServer } from '../support/saml/saml-test-server.js';
import type { TestIdp } from '../support/saml/test-idp.js';
import { TestClock } from '../support/test-clock.js';
import type { TestServer } from '../support/test-server.js';

const CALLBACK = 'http://127.0.0.1/callback';

/**
 * The assertion's SessionNotOnOrAfter is checked at the ACS (response-checks.ts) and becomes the SSO
 * session's maximum. If it passes while FHIR is asked for the citizen, the login is refused there:
 * a session over at its start would give the client a code that no grant can redeem.
 */
describe('an IdP session that runs out while the login links the citizen in FHIR', () => {
  const clock = new TestClock();
  let fhir: EmbeddedFhirServer;
  let stub: Server;
  let server: TestServer;
  let idp: TestIdp;
  let issuer: string;
  /** Seconds the test clock moves on at each Patient search: the time FHIR takes to answer. */
  let patientSearchSeconds = 0;

  beforeAll(async () => {
    fhir = await startEmbeddedFhirServer({ environment: 'test', seedFile: 'fixtures/fhir/demo.json' });
    stub = createServer((request, response) => {
      if (/\/Patient\/_search/.test(request.url ?? '')) clock.advance(patientSearchSeconds);
      void fhir.handle(request, response);
    });
    await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(stub.address() as AddressInfo).port}/fhir`;
    ({ server, idp, issuer } = await startSamlTestServer({
      overrides: { clock },
      patch: (raw) => (raw.realms[0].fhir = { baseUrl: base }),
    }));
  });
  afterAll(async () => {
    await server?.close();
    stub?.closeAllConnections();
    await new Promise((resolve) => stub?.close(resolve));
    await fhir?.close();
  });

  const login = async (sessionNotOnOrAfter: number) => {
    const browser = new CookieJar();
    const { location } = await startSamlLogin(issuer, idp, { clientId: 'patient-app', redirectUri: CALLBACK }, browser);
    const { form } = await idp.respondTo(location, {
      now: clock.now(),
      attributes: citizenAttributes({ cpr: '0101011234' }),
      sessionNotOnOrAfter,
    });
    return new URL((await postToAcs(idp, browser, form)).headers.get('location')!);
  };

  it('refuses the login with access_denied and opens no session when the IdP session ended meanwhile', async () => {
    const sessions = server.app.get(SessionRepository);
    const before = await sessions.count();
    patientSearchSeconds = 40;
    const refused = await login(30);
    expect(refused.searchParams.get('error')).toBe('access_denied');
    expect(refused.searchParams.get('code')).toBeNull();
    expect(await sessions.count()).toBe(before);

    // The same IdP session with time to spare completes.
    const completed = await login(60);
    expect(completed.searchParams.get('code')).toBeTruthy();
    expect(await sessions.count()).toBe(before + 1);
  });
});
