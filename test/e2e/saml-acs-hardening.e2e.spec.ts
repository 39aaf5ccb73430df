import { createHash, randomBytes } from 'node:crypto';
import { AuthorizationCodeRepository } from '../../src/storage/authorization-code.repository.js';
import { SessionRepository } from '../../src/storage/session.repository.js';
import { cookiesFrom } from '../support/browser-cookies.js';
import { citizenAttributes } from '../support/saml/saml-attributes.js';
import { startSamlTestServer } from '../support/saml/saml-test-server.js';
import * as tamper from '../support/saml/tamper.js';
import type { ResponseOptions, TestIdp } from '../support/saml/test-idp.js';
import type { TestServer } from '../support/test-server.js';

const CALLBACK = 'http://127.0.0.1/callback';

/**
 * Issue 15 at the ACS and the broker pages: a refused Response ends the login it names (one
 * authorization request buys one attempt), a full worker queue is a 503 that leaves the login
 * pending, and a transaction id that cannot be one is refused at the edge with a readable page.
 */
async function startLogin(issuer: string, hint = 'nemlog-in') {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(8).toString('hex');
  const url = new URL(`${issuer}/protocol/openid-connect/auth`);
  for (const [name, value] of Object.entries({
    client_id: 'patient-app',
    redirect_uri: CALLBACK,
    response_type: 'code',
    scope: 'openid',
    state,
    kc_idp_hint: hint,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }))
    url.searchParams.set(name, value);
  const response = await fetch(url, { redirect: 'manual' });
  expect(response.status).toBe(303);
  return { state, location: response.headers.get('location')!, cookie: cookiesFrom(response) };
}

const postToAcs = (idp: TestIdp, form: Record<string, string>, cookie: string) =>
  fetch(idp.acsUrl, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams(form).toString(),
  });

const good = (): ResponseOptions => ({ attributes: citizenAttributes({ cpr: '0101011234' }) });
const wideExtensions =
  (count: number): tamper.Tamper =>
  (xml) =>
    xml.replace('<samlp:Status>', `<samlp:Extensions>${'<samlp:e/>'.repeat(count)}</samlp:Extensions><samlp:Status>`);

describe('ACS and broker pages against an anonymous attacker', () => {
  let server: TestServer;
  let idp: TestIdp;
  let issuer: string;
  const counts = async () => [await server.app.get(SessionRepository).count(), await server.app.get(AuthorizationCodeRepository).count()];

  beforeAll(async () => {
    ({ server, idp, issuer } = await startSamlTestServer());
  });
  afterAll(() => server.close());

  describe('a refused Response uses up its pending login', () => {
    it.each<[string, ResponseOptions]>([
      ['a broken signature', { ...good(), tamper: tamper.modifyAttribute('https://data.gov.dk/model/core/eid/cprNumber', '0202021234') }],
      ['the amplification shape', { ...good(), tamper: wideExtensions(16_000) }],
      ['a wrong audience', { ...good(), audiences: ['https://other-sp.example'] }],
    ])('%s: the client hears access_denied, and not even the honest Response completes that login afterwards', async (_what, bad) => {
      const before = await counts();
      const flow = await startLogin(issuer);
      const { form: badForm } = await idp.respondTo(flow.location, bad);
      const refused = await postToAcs(idp, badForm, flow.cookie);
      expect(refused.status).toBe(303);
      const back = new URL(refused.headers.get('location')!);
      expect([back.origin + back.pathname, back.searchParams.get('error'), back.searchParams.get('state')]).toEqual([
        CALLBACK,
        'access_denied',
        flow.state,
      ]);

      // The same attempt again is answered without looking at the Response.
      const again = await postToAcs(idp, badForm, flow.cookie);
      expect(again.status).toBe(400);
      const { form: honest } = await idp.respondTo(flow.location, good());
      const late = await postToAcs(idp, honest, flow.cookie);
      expect(late.status).toBe(400);
      expect(late.headers.get('location')).toBeNull();
      expect(await counts()).toEqual(before);
    });

    it('a Response posted by another browser still changes nothing (the starting browser completes the login)', async () => {
      const flow = await startLogin(issuer);
      const { form: badForm } = await idp.respondTo(flow.location, { ...good(), tamper: tamper.stripSignatures('all') });
      expect((await postToAcs(idp, badForm, '')).status).toBe(400);
      const { form } = await idp.respondTo(flow.location, good());
      const done = await postToAcs(idp, form, flow.cookie);
      expect(new URL(done.headers.get('location')!).searchParams.get('code')).toBeTruthy();
    });
  });

  describe('transaction ids are checked at the edge', () => {
    const RELAY_STATES = ['\u0000', 'a\u0000b', '\u0001'.repeat(43), 'x'.repeat(42) + '\u001f', 'not a transaction id'];

    it.each(RELAY_STATES)('ACS: RelayState %j is answered with the readable 400 page', async (relayState) => {
      const before = await counts();
      const response = await postToAcs(idp, { SAMLResponse: 'PHg+', RelayState: relayState }, '');
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/text\/html/);
      expect(await response.text()).toContain('The login could not be completed');
      expect(await counts()).toEqual(before);
    });

    it.each(RELAY_STATES)('broker login page and mock login: tx %j is answered with the readable 400 page', async (tx) => {
      const page = await fetch(`${issuer}/broker/mock/login?tx=${encodeURIComponent(tx)}`, { redirect: 'manual' });
      expect(page.status).toBe(400);
      expect(await page.text()).toContain('This login has expired');
      const posted = await fetch(`${issuer}/broker/mock/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ tx, username: 'alice' }).toString(),
      });
      expect(posted.status).toBe(400);
      expect(await posted.text()).toContain('This login has expired');
      const chooser = await fetch(`${issuer}/broker/nemlog-in/login?tx=${encodeURIComponent(tx)}`, { redirect: 'manual' });
      expect(chooser.status).toBe(400);
    });

    it('no log line carries the control characters', () => {
      expect(server.logs.join('\n')).not.toMatch(/\\u0000|\\u0001/);
    });
  });
});

describe('ACS when the SAML worker queue is full', () => {
  let server: TestServer;
  let idp: TestIdp;
  let issuer: string;

  beforeAll(async () => {
    ({ server, idp, issuer } = await startSamlTestServer({
      patch: (raw) => {
        raw.saml = { maxQueue: 0, validationTimeoutMs: 1500, xmlLimits: { maxElements: 1_000_000 } };
      },
    }));
  });
  afterAll(() => server.close());

  it('answers 503 with a try-again page and leaves the login pending', async () => {
    const workers = (await import('node:os')).availableParallelism();
    const flows = [];
    for (let i = 0; i <= workers; i++) flows.push(await startLogin(issuer));
    const forms = await Promise.all(
      flows.map(async (flow) => (await idp.respondTo(flow.location, { ...good(), tamper: wideExtensions(16_000) })).form),
    );
    const answers = await Promise.all(flows.map((flow, i) => postToAcs(idp, forms[i], flow.cookie)));
    const shed = answers.findIndex((answer) => answer.status === 503);
    expect(shed).toBeGreaterThanOrEqual(0);
    expect(await answers[shed].text()).toContain('try again');
    expect(answers.filter((answer) => answer.status === 503)).toHaveLength(1);

    const { form } = await idp.respondTo(flows[shed].location, good());
    const done = await postToAcs(idp, form, flows[shed].cookie);
    expect(new URL(done.headers.get('location')!).searchParams.get('code')).toBeTruthy();
  });
});
