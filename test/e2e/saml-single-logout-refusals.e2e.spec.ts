import { decodeJwt } from 'jose';
import { PUBLIC_CLIENT, refresh } from '../support/login-flow.js';
import { citizenAttributes } from '../support/saml/saml-attributes.js';
import { SAML_FIXTURES } from '../support/saml/saml-fixtures.js';
import { samlHttpLogin } from '../support/saml/saml-http-login.js';
import { CPR, deliverToSp, sloServerForSuite, STATUS } from '../support/saml/slo-server.js';
import type { LogoutRequestOptions } from '../support/saml/test-idp-logout.js';
import { TestIdp } from '../support/saml/test-idp.js';
import { SamlWorkers } from '../../src/saml/saml-workers.js';
import { DEFAULT_XML_LIMITS, LOGOUT_XML_LIMITS, MAX_LOGOUT_XML_BYTES, measureXml, precheckXml } from '../../src/saml/xml-prechecks.js';

/**
 * IdP-initiated SAML single logout (saml-single-logout.e2e.spec.ts): a LogoutRequest that is not
 * verifiably right ends nothing, and a logout message is bounded before it reaches the worker pool.
 */
describe('IdP-initiated SAML single logout', () => {
  const h = sloServerForSuite();

  describe('refused LogoutRequests end nothing', () => {
    const now = () => new Date();
    const cases: [string, string, (nameId: string) => { options: LogoutRequestOptions; to?: TestIdp }][] = [
      ['unsigned (HTTP-Redirect)', 'unsigned message', (nameId) => ({ options: { binding: 'redirect', nameId, sign: false } })],
      ['unsigned (HTTP-POST)', 'signature missing', (nameId) => ({ options: { binding: 'post', nameId, sign: false } })],
      [
        'from another Issuer',
        'Issuer is not',
        (nameId) => ({ options: { binding: 'redirect', nameId, issuer: 'https://idp.test/impostor' } }),
      ],
      [
        'to another Destination',
        'Destination is not',
        (nameId) => ({ options: { binding: 'post', nameId, destination: 'https://other-sp.test/slo' } }),
      ],
      ['without a Destination', 'Destination missing', (nameId) => ({ options: { binding: 'redirect', nameId, destination: null } })],
      [
        'expired (NotOnOrAfter)',
        'expired (NotOnOrAfter)',
        (nameId) => ({ options: { binding: 'redirect', nameId, now: new Date(now().getTime() - 200_000), notOnOrAfter: 60 } }),
      ],
      [
        'issued too long ago',
        'too old',
        (nameId) => ({ options: { binding: 'post', nameId, now: new Date(now().getTime() - 3600_000), notOnOrAfter: 7200 } }),
      ],
      [
        "signed with another realm's IdP key",
        'signature verification failed',
        (nameId) => ({
          options: {
            binding: 'redirect',
            nameId,
            signingKey: SAML_FIXTURES.otherIdpSigningKey,
            signingCertificate: SAML_FIXTURES.otherIdpSigningCertificate,
          },
        }),
      ],
      [
        "another realm's IdP, sent here",
        'signature',
        (nameId) => ({ options: { binding: 'post', nameId, destination: h.idp.acsUrl }, to: h.otherIdp }),
      ],
    ];

    /** Refused for their time alone: signed by the IdP, from it and for us, so they are answered all the same. */
    const STALE = new Set(['expired (NotOnOrAfter)', 'too old']);

    it.each(cases)('%s', async (_name, reason, build) => {
      const { tokens, nameId, browser } = await h.login();
      const { options, to } = build(nameId);
      const message = (to ?? h.idp).logout.request(options);
      // Another realm's IdP sends to its own realm's endpoint; here it is pointed at this realm's.
      const url = to ? message.url.replace('/realms/other/', '/realms/nemlogin/') : message.url;
      const response = await deliverToSp(browser, { ...message, url }, options.binding);
      if (STALE.has(reason)) {
        // Genuine and only stale: answered with a non-success LogoutResponse (saml-single-logout-stale.e2e.spec.ts).
        expect((await h.idp.logout.parseResponse(await h.replyOf(response))).status).toBe(`${STATUS}Requester`);
      } else {
        expect(response.status).toBe(400);
        expect(response.headers.get('location')).toBeNull();
      }
      const refusal = h.server.logs.filter((line) => line.includes('SAML logout message refused')).at(-1);
      expect(JSON.parse(refusal!).reason).toContain(reason);
      expect(await h.introspect(tokens.access_token)).toBe(true);
      expect((await refresh(h.server.baseUrl, 'nemlogin', tokens.refresh_token as string)).status).toBe(200);
    });

    it('replayed: the same LogoutRequest a second time is refused, and ends nothing the person opened since', async () => {
      const { nameId } = await h.login();
      const message = h.idp.logout.request({ binding: 'redirect', nameId, relayState: 'r' });
      expect((await fetch(message.url, { redirect: 'manual' })).status).toBe(303);
      const again = await samlHttpLogin(h.issuer, h.idp, PUBLIC_CLIENT, { attributes: citizenAttributes({ cpr: CPR }), nameId });
      // Refused, and answered so (Requester), not ended: saml-single-logout-stale.e2e.spec.ts.
      const replay = await fetch(message.url, { redirect: 'manual' });
      expect((await h.idp.logout.parseResponse(await h.replyOf(replay))).status).toBe(`${STATUS}Requester`);
      expect(h.server.logs.filter((line) => line.includes('SAML logout message refused')).at(-1)).toContain('replay');
      expect(await h.introspect(again.tokens!.access_token)).toBe(true);
    });
  });

  /**
   * Review finding 1: a logout message needs no pending h.login to reach the worker, where node-saml
   * searches the whole document for the signature's Reference by XPath before any crypto. A forged
   * LogoutRequest within a h.login Response's limits cost ~300 ms of worker CPU; the logout profile of
   * limits refuses it on the main thread.
   */
  describe('logout messages are bounded before the worker', () => {
    /** How many logout messages reached the worker pool while `run` ran. */
    async function workerCalls(run: () => Promise<void>): Promise<number> {
      const workers = h.server.app.get(SamlWorkers);
      const verifyLogout = workers.verifyLogout;
      let calls = 0;
      workers.verifyLogout = (task) => {
        calls++;
        return verifyLogout.call(workers, task);
      };
      try {
        await run();
      } finally {
        workers.verifyLogout = verifyLogout;
      }
      return calls;
    }

    /** The review's forged LogoutRequest (slo2.mjs "attrs"): `count` × `attributes` empty attributes, a fake Signature over the root. */
    const forged = (count: number, attributes: number) =>
      '<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ' +
      'ID="_abc" Version="2.0" IssueInstant="2026-01-01T00:00:00Z"><saml:Issuer>https://idp.test/nemlog-in</saml:Issuer>' +
      '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>' +
      '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>' +
      '<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI="#_abc"><ds:Transforms>' +
      '<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/></ds:Transforms>' +
      '<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference>' +
      `</ds:SignedInfo><ds:SignatureValue>${'A'.repeat(344)}</ds:SignatureValue></ds:Signature><saml:NameID>x</saml:NameID>` +
      Array.from({ length: count }, () => `<samlp:Extensions ${Array.from({ length: attributes }, (_, k) => `a${k}=""`).join(' ')}/>`).join(
        '',
      ) +
      '</samlp:LogoutRequest>';

    const postLogout = (field: 'SAMLRequest' | 'SAMLResponse', xml: string, relayState?: string) =>
      fetch(h.idp.acsUrl, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          [field]: Buffer.from(xml).toString('base64'),
          ...(relayState ? { RelayState: relayState } : {}),
        }).toString(),
      });

    it.each([
      ['the 155 KB one (700 elements × 30 attributes)', 700, 30, 'message too large'],
      ['one under the byte cap with too many elements', 120, 4, 'too many elements'],
      ['one within a login Response’s limits (300 elements)', 300, 1, 'too many elements'],
      ['one under the element cap with too many attributes in all', 40, 10, 'too many attributes'],
    ])('refuses %s on the main thread: no worker sees it', async (_name, count, attributes, reason) => {
      const xml = forged(count, attributes);
      if (count === 700) expect(Buffer.byteLength(xml)).toBeGreaterThan(150_000);
      if (count === 300) expect(() => precheckXml(xml, DEFAULT_XML_LIMITS)).not.toThrow();
      const calls = await workerCalls(async () => {
        const response = await postLogout('SAMLRequest', xml);
        expect(response.status).toBe(400);
      });
      expect(calls).toBe(0);
      const refusal = h.server.logs.filter((line) => line.includes('SAML logout message refused')).at(-1);
      expect(JSON.parse(refusal!).reason).toBe(reason);
    });

    it('leaves an honest signed LogoutRequest by HTTP-POST far below every logout limit, and verifies it', async () => {
      const { nameId, browser } = await h.login();
      const message = h.idp.logout.request({ binding: 'post', nameId, sessionIndexes: ['_a', '_b', '_c'] });
      const xml = Buffer.from(message.form.SAMLRequest!, 'base64').toString('utf8');
      const shape = measureXml(xml);
      expect(shape.elements * 3).toBeLessThanOrEqual(LOGOUT_XML_LIMITS.maxElements);
      expect(shape.attributes * 3).toBeLessThanOrEqual(LOGOUT_XML_LIMITS.maxAttributes);
      expect(shape.attributesPerElement * 2).toBeLessThanOrEqual(LOGOUT_XML_LIMITS.maxAttributesPerElement);
      expect(shape.depth * 2).toBeLessThanOrEqual(LOGOUT_XML_LIMITS.maxDepth);
      expect(Buffer.byteLength(xml) * 4).toBeLessThanOrEqual(MAX_LOGOUT_XML_BYTES);
      const calls = await workerCalls(async () => {
        const { response } = await h.sendLogoutRequest(browser, { binding: 'post', nameId });
        expect(response.status).toBe(200);
      });
      expect(calls).toBe(1);
    });

    it.each(['redirect', 'post'] as const)(
      'sets a LogoutResponse (HTTP-%s) answering no pending logout aside unverified: the logged-out page, no worker',
      async (binding) => {
        const answer = h.idp.logout.response({ binding, inResponseTo: '_no-such-request', relayState: 'r' });
        const logged = h.server.logs.length;
        const calls = await workerCalls(async () => {
          const response =
            binding === 'redirect'
              ? await fetch(answer.url, { redirect: 'manual' })
              : await fetch(answer.url, {
                  method: 'POST',
                  redirect: 'manual',
                  headers: { 'content-type': 'application/x-www-form-urlencoded' },
                  body: new URLSearchParams(answer.form).toString(),
                });
          expect([response.status, response.headers.get('location')]).toEqual([200, null]);
        });
        expect(calls).toBe(0);
        expect(h.server.logs.slice(logged).join('\n')).toContain('LogoutResponse answers no pending logout');
      },
    );

    it.each(['redirect', 'post'] as const)(
      'never tells a browser whose session lives on that it is logged out: a LogoutResponse (HTTP-%s) answering nothing gets the invalid-link page',
      async (binding) => {
        // A forged answer, linked or posted to a person at a shared computer: nothing verifies it, nothing ends.
        const { tokens, browser } = await h.login();
        const answer = h.idp.logout.response({ binding, inResponseTo: '_no-such-request', relayState: 'r' });
        const response = await deliverToSp(browser, answer, binding);
        expect([response.status, response.headers.get('location')]).toEqual([400, null]);
        const page = await response.text();
        expect(page).toContain('This logout link is not valid');
        expect(page).not.toContain('You are logged out');
        expect(await h.introspect(tokens.access_token)).toBe(true);
        expect((await refresh(h.server.baseUrl, 'nemlogin', tokens.refresh_token as string)).status).toBe(200);
      },
    );

    it('tells a browser whose session is over that it is logged out, and clears its stale cookies', async () => {
      const { tokens, browser } = await h.login();
      // Ended elsewhere (the app's server logs out with its refresh token): the browser still holds its cookies.
      const ended = await fetch(`${h.issuer}/protocol/openid-connect/logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ refresh_token: tokens.refresh_token as string, client_id: PUBLIC_CLIENT.clientId }).toString(),
      });
      expect(ended.status).toBe(204);
      const answer = h.idp.logout.response({ binding: 'redirect', inResponseTo: '_no-such-request', relayState: 'r' });
      const response = await deliverToSp(browser, answer, 'redirect');
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('You are logged out');
      expect(response.headers.getSetCookie().join('\n')).toMatch(/KEYCLOAK_IDENTITY=;.*Max-Age=0/);
    });
  });

  it('no CPR and no NameID reach a log line', async () => {
    const { nameId, browser, tokens } = await h.login();
    await h.sendLogoutRequest(browser, { binding: 'post', nameId });
    await h.receiver.tokenFor(decodeJwt(tokens.access_token).sid as string);
    const logs = h.server.logs.join('\n');
    expect(logs).not.toContain(CPR);
    expect(logs).not.toContain('data.gov.dk/model/core/eid/person/uuid');
  });

  it('SP metadata lists the SingleLogoutService at the broker endpoint in both bindings', async () => {
    const xml = await (await fetch(`${h.issuer}/broker/nemlog-in/endpoint/descriptor`)).text();
    const endpoint = `${h.issuer}/broker/nemlog-in/endpoint`;
    expect(xml).toContain(`<SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${endpoint}"`);
    expect(xml).toContain(`<SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${endpoint}"`);
  });
});
