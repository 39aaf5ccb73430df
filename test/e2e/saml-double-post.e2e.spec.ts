import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startEmbeddedFhirServer, type EmbeddedFhirServer } from '../../src/fhir/embedded/embedded-fhir-server.js';
import { DATABASE, type Database } from '../../src/storage/database.js';
import { CookieJar } from '../support/cookie-jar.js';
import { citizenAttributes } from '../support/saml/saml-attributes.js';
import { postToAcs, startSamlLogin } from '../support/saml/saml-http-login.js';
import { startSamlTestServer } from '../support/saml/saml-test-server.js';
import type { TestIdp } from '../support/saml/test-idp.js';
import type { TestServer } from '../support/test-server.js';

const CALLBACK = 'http://127.0.0.1/callback';

/**
 * The IdP's form posted twice (a double click, a browser's retry): the second post arrives while the
 * first, whose Response was accepted, still links the citizen in FHIR. The second is refused as a
 * replay, and must not end the login the first is completing: exactly one login, with its code.
 */
describe('one SAML Response posted twice while the first post completes the login', () => {
  let fhir: EmbeddedFhirServer;
  let stub: Server;
  let server: TestServer;
  let idp: TestIdp;
  let issuer: string;
  /** Patient searches the stub holds until released, and how many it has seen. */
  const held: (() => void)[] = [];
  let searches = 0;

  beforeAll(async () => {
    fhir = await startEmbeddedFhirServer({ environment: 'test', seedFile: 'fixtures/fhir/demo.json' });
    stub = createServer((request, response) => {
      if (!/\/Patient\/_search/.test(request.url ?? '')) return void fhir.handle(request, response);
      searches++;
      held.push(() => void fhir.handle(request, response));
    });
    await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(stub.address() as AddressInfo).port}/fhir`;
    ({ server, idp, issuer } = await startSamlTestServer({ patch: (raw) => (raw.realms[0].fhir = { baseUrl: base }) }));
  });
  afterAll(async () => {
    await server?.close();
    stub?.closeAllConnections();
    await new Promise((resolve) => stub?.close(resolve));
    await fhir?.close();
  });

  it('completes the first post’s login, and answers the second with a page that ends nothing', async () => {
    const browser = new CookieJar();
    const { location } = await startSamlLogin(issuer, idp, { clientId: 'patient-app', redirectUri: CALLBACK }, browser);
    const { form } = await idp.respondTo(location, { attributes: citizenAttributes({ cpr: '0101011234' }) });
    const first = postToAcs(idp, browser, form);
    while (searches === 0) await new Promise((resolve) => setTimeout(resolve, 20));

    const second = await postToAcs(idp, browser, form);
    expect(second.status).toBe(400);
    expect(second.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await second.text()).toContain('already completed');

    for (const release of held.splice(0)) release();
    const completed = await first;
    expect(completed.status).toBe(303);
    const callback = new URL(completed.headers.get('location')!);
    expect([callback.searchParams.get('error'), Boolean(callback.searchParams.get('code'))]).toEqual([null, true]);
    const db = server.app.get<Database>(DATABASE);
    const { rows } = await db.query<{ type: string; error: string | null }>(
      `SELECT type, error FROM audit_events WHERE type IN ('LOGIN', 'LOGIN_ERROR') ORDER BY id`,
    );
    expect(rows).toEqual([{ type: 'LOGIN', error: null }]);
  });

  // Both posts at once: the second is refused before the worker (the first was accepted already) or,
  // overlapping it, as a repost of the Response the first was accepted with. Either way one login.
  it('gives exactly one login when both posts arrive at once, round after round', async () => {
    const db = server.app.get<Database>(DATABASE);
    const logins = async () =>
      (
        await db.query<{ type: string; error: string | null }>(
          `SELECT type, error FROM audit_events WHERE type IN ('LOGIN', 'LOGIN_ERROR')`,
        )
      ).rows;
    const before = (await logins()).length;
    const releasing = setInterval(() => held.splice(0).forEach((release) => release()), 5);
    try {
      for (let round = 0; round < 5; round++) {
        const browser = new CookieJar();
        const { location } = await startSamlLogin(issuer, idp, { clientId: 'patient-app', redirectUri: CALLBACK }, browser);
        const { form } = await idp.respondTo(location, { attributes: citizenAttributes({ cpr: '0101011234' }) });
        const answers = await Promise.all([postToAcs(idp, browser, form), postToAcs(idp, browser, form)]);
        const codes = answers.filter(
          (answer) => answer.status === 303 && new URL(answer.headers.get('location')!).searchParams.get('code'),
        );
        expect([round, codes.length, answers.map((answer) => answer.status).sort()]).toEqual([round, 1, [303, 400]]);
      }
    } finally {
      clearInterval(releasing);
    }
    expect((await logins()).slice(before)).toEqual(Array.from({ length: 5 }, () => ({ type: 'LOGIN', error: null })));
  });
});
