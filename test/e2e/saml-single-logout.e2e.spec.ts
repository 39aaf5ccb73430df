import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { BackchannelReceiver } from '../support/backchannel-receiver.js';
import { CookieJar } from '../support/cookie-jar.js';
import { freePort } from '../support/free-port.js';
import { refresh } from '../support/login-flow.js';
import { expectOAuthError } from '../support/oauth-error.js';
import { citizenAttributes } from '../support/saml/saml-attributes.js';
import { SAML_FIXTURES, testServiceProviderConfig } from '../support/saml/saml-fixtures.js';
import { samlHttpLogin } from '../support/saml/saml-http-login.js';
import type { LogoutRequestOptions, SpReply } from '../support/saml/test-idp-logout.js';
import { TestIdp } from '../support/saml/test-idp.js';
import { TEST_SECRETS } from '../support/test-config.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { basic, postForm } from '../support/token-requests.js';
import { DATABASE, type Database } from '../../src/storage/database.js';
import { SamlWorkers } from '../../src/saml/saml-workers.js';
import { DEFAULT_XML_LIMITS, LOGOUT_XML_LIMITS, MAX_LOGOUT_XML_BYTES, measureXml, precheckXml } from '../../src/saml/xml-prechecks.js';

const CLIENT = { clientId: 'patient-app', redirectUri: 'http://127.0.0.1/callback' };
const STATUS = 'urn:oasis:names:tc:SAML:2.0:status:';
const CPR = '0101011234';

/**
 * IdP-initiated SAML single logout (SAML Profiles §4.4) at the broker endpoint, over real HTTP with
 * the independent samlify IdP: a verified LogoutRequest ends the SSO session and its client sessions
 * (refresh, introspection, prompt=none all see it), the clients hear of it by back-channel logout,
 * and the IdP gets a LogoutResponse that verifies against the SP's certificate; a LogoutRequest that
 * is not verifiably right ends nothing.
 */
describe('IdP-initiated SAML single logout', () => {
  let server: TestServer;
  let idp: TestIdp;
  let otherIdp: TestIdp;
  let receiver: BackchannelReceiver;
  let issuer: string;
  let nameIds = 0;

  beforeAll(async () => {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}/realms/nemlogin`;
    idp = await TestIdp.create({ realmIssuer: issuer, alias: 'nemlog-in' });
    otherIdp = await TestIdp.create({
      realmIssuer: `http://127.0.0.1:${port}/realms/other`,
      alias: 'nemlog-in',
      entityId: 'https://idp.test/other-realm',
      signingKey: SAML_FIXTURES.otherIdpSigningKey,
      signingCertificate: SAML_FIXTURES.otherIdpSigningCertificate,
    });
    receiver = await BackchannelReceiver.create();
    server = await startTestServer({
      port,
      patch: (raw) => {
        raw.backchannelLogout = { intervalMs: 100 };
        raw.realms[0].serviceProvider = testServiceProviderConfig();
        raw.realms[0].identityProviders = [idp.idpConfig('oiosaml3-citizen', { sloUrl: idp.sloUrl })];
        const clients = raw.realms[0].clients as { clientId: string; [key: string]: unknown }[];
        clients.find((c) => c.clientId === 'patient-app')!.backchannelLogoutUri = receiver.url;
        clients.find((c) => c.clientId === 'web')!.backchannelLogoutUri = `${receiver.url}/web`;
        raw.realms.push({
          name: 'other',
          patientIdentifierSystem: 'urn:oid:1.2.208.176.1.2',
          serviceProvider: testServiceProviderConfig(),
          identityProviders: [otherIdp.idpConfig('oiosaml3-citizen', { sloUrl: otherIdp.sloUrl })],
        });
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  /** A login of a person of their own (so no test's LogoutRequest names another test's sessions). */
  async function login(sessionIndex = `_idx-${nameIds + 1}`, browser?: CookieJar) {
    const nameId = `https://data.gov.dk/model/core/eid/person/uuid/00000000-0000-4000-8000-${String(++nameIds).padStart(12, '0')}`;
    const result = await samlHttpLogin(
      issuer,
      idp,
      CLIENT,
      { attributes: citizenAttributes({ cpr: CPR }), nameId, sessionIndex },
      { browser },
    );
    return { ...result, nameId, sessionIndex, tokens: result.tokens! };
  }

  const introspect = async (token: string) =>
    (
      await postForm(`${issuer}/protocol/openid-connect/token/introspect`, new URLSearchParams({ token }), {
        authorization: basic('system', TEST_SECRETS.system),
      })
    ).body.active;

  /** Sends the IdP's LogoutRequest through the browser, by its binding; returns the SP's answer. */
  async function sendLogoutRequest(browser: CookieJar, options: LogoutRequestOptions, to: TestIdp = idp) {
    const message = to.logout.request({ relayState: 'idp-relay-state', ...options });
    const response =
      options.binding === 'redirect'
        ? await browser.fetch(message.url)
        : await browser.fetch(message.url, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams(message.form).toString(),
          });
    return { message, response };
  }

  /** The SP's reply as the IdP receives it: from the redirect, or from the self-posting form. */
  async function replyOf(response: Response): Promise<SpReply> {
    if (response.status === 303) return { location: response.headers.get('location')! };
    expect(response.status).toBe(200);
    const html = await response.text();
    const action = /<form[^>]* action="([^"]+)"/.exec(html)?.[1];
    const fields = Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    expect(action).toBe(idp.sloUrl);
    return { form: fields };
  }

  describe.each(['redirect', 'post'] as const)('over HTTP-%s', (binding) => {
    it('ends the session: refresh invalid_grant, introspection inactive, prompt=none login_required; a verifiable Success', async () => {
      const { browser, tokens, nameId, sessionIndex } = await login();
      expect(await introspect(tokens.access_token)).toBe(true);
      const cookieBeforeLogout = browser.header();

      const { message, response } = await sendLogoutRequest(browser, { binding, nameId, sessionIndexes: [sessionIndex] });
      const answer = await idp.logout.parseResponse(await replyOf(response));
      expect(answer).toEqual({
        inResponseTo: message.id,
        destination: idp.sloUrl,
        issuer,
        status: `${STATUS}Success`,
        subStatus: undefined,
        relayState: 'idp-relay-state',
      });
      if (binding === 'redirect') expect(response.headers.get('location')!.startsWith(`${idp.sloUrl}?SAMLResponse=`)).toBe(true);

      expectOAuthError(await refresh(server.baseUrl, 'nemlogin', tokens.refresh_token as string), 400, 'invalid_grant');
      expect(await introspect(tokens.access_token)).toBe(false);
      // The SSO session is over too: a silent authorization with the browser's cookie as it was cannot be answered.
      const silent = await silentAuthorization(cookieBeforeLogout);
      expect(silent.searchParams.get('error')).toBe('login_required');
      // The client heard of it by back-channel logout.
      const sid = decodeJwt(tokens.access_token).sid as string;
      expect(decodeJwt(await receiver.tokenFor(sid))).toMatchObject({ sid, aud: 'patient-app' });
    });
  });

  /** /auth with prompt=none from a browser with these cookies: where it is sent. */
  async function silentAuthorization(cookie: string): Promise<URL> {
    const url = new URL(`${issuer}/protocol/openid-connect/auth`);
    const params = {
      client_id: CLIENT.clientId,
      redirect_uri: CLIENT.redirectUri,
      response_type: 'code',
      scope: 'openid',
      prompt: 'none',
      code_challenge: 'x'.repeat(43),
      code_challenge_method: 'S256',
    };
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    const response = await fetch(url.href, { headers: { cookie }, redirect: 'manual' });
    expect(response.status).toBe(303);
    return new URL(response.headers.get('location')!);
  }

  it('the logout token is a signed logout+jwt that verifies against the realm JWKS, with sid, sub, events and no nonce', async () => {
    const { browser, tokens, nameId } = await login();
    await sendLogoutRequest(browser, { binding: 'redirect', nameId });
    const token = await receiver.tokenFor(decodeJwt(tokens.access_token).sid as string);
    const { payload, protectedHeader } = await jwtVerify(token, createRemoteJWKSet(new URL(`${issuer}/protocol/openid-connect/certs`)), {
      issuer,
      audience: 'patient-app',
      typ: 'logout+jwt',
    });
    const access = decodeJwt(tokens.access_token);
    expect(protectedHeader.typ).toBe('logout+jwt');
    expect(payload).toMatchObject({
      sid: access.sid,
      sub: access.sub,
      events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
    });
    expect(payload.jti).toEqual(expect.any(String));
    expect(payload.iat).toEqual(expect.any(Number));
    expect(payload).not.toHaveProperty('nonce');
  });

  it('names sessions by SessionIndex: another session of the same person lives on; without one, every session ends', async () => {
    const first = await login('_first');
    const second = await login('_second');
    // The same person (NameID) in a second browser, under another SessionIndex.
    const person = first.nameId;
    const other = await samlHttpLogin(issuer, idp, CLIENT, {
      attributes: citizenAttributes({ cpr: CPR }),
      nameId: person,
      sessionIndex: '_other',
    });
    await sendLogoutRequest(first.browser, { binding: 'redirect', nameId: person, sessionIndexes: ['_first'] });
    expect(await introspect(first.tokens.access_token)).toBe(false);
    expect(await introspect(other.tokens!.access_token)).toBe(true);
    expect(await introspect(second.tokens.access_token)).toBe(true);
    await sendLogoutRequest(new CookieJar(), { binding: 'post', nameId: person });
    expect(await introspect(other.tokens!.access_token)).toBe(false);
    expect(await introspect(second.tokens.access_token)).toBe(true);
  });

  it('names an SSO session renewed by a later login (prompt=login) by the earlier SessionIndex too: it ends', async () => {
    const first = await login('_renewed-A');
    // The same person logs in again in the same browser: the SSO session keeps its id and the first
    // client session, and takes the new SessionIndex (sso-session.service.ts establish).
    const second = await samlHttpLogin(
      issuer,
      idp,
      CLIENT,
      { attributes: citizenAttributes({ cpr: CPR }), nameId: first.nameId, sessionIndex: '_renewed-B' },
      { browser: first.browser, extra: { prompt: 'login' } },
    );
    const ssoOf = (accessToken: string) => (decodeJwt(accessToken).sid as string).split('.')[0];
    expect(ssoOf(second.tokens!.access_token)).toBe(ssoOf(first.tokens.access_token));
    expect(await introspect(first.tokens.access_token)).toBe(true);

    // SAML Core §3.7.3.2: the IdP ends its session _renewed-A, under which the first client session was opened.
    const { response } = await sendLogoutRequest(new CookieJar(), {
      binding: 'redirect',
      nameId: first.nameId,
      sessionIndexes: ['_renewed-A'],
    });
    expect((await idp.logout.parseResponse(await replyOf(response))).status).toBe(`${STATUS}Success`);
    expect(await introspect(first.tokens.access_token)).toBe(false);
    expectOAuthError(await refresh(server.baseUrl, 'nemlogin', first.tokens.refresh_token as string), 400, 'invalid_grant');
    // The SSO session ended, and every client session in it.
    expect(await introspect(second.tokens!.access_token)).toBe(false);
  });

  it('a LogoutRequest naming no session here is answered Success, and ends nothing', async () => {
    const { tokens } = await login();
    const { response } = await sendLogoutRequest(new CookieJar(), { binding: 'redirect', nameId: 'someone-never-seen' });
    expect((await idp.logout.parseResponse(await replyOf(response))).status).toBe(`${STATUS}Success`);
    expect(await introspect(tokens.access_token)).toBe(true);
  });

  it('answers PartialLogout when a client could not be told, and keeps the notification for later', async () => {
    const { browser, tokens, nameId } = await login();
    // A second client session in the same SSO session, for the web client, whose endpoint answers 500.
    const web = await webSessionInSso(browser);
    receiver.status = 500;
    try {
      const { response } = await sendLogoutRequest(browser, { binding: 'redirect', nameId });
      const answer = await idp.logout.parseResponse(await replyOf(response));
      expect([answer.status, answer.subStatus]).toEqual([`${STATUS}Success`, `${STATUS}PartialLogout`]);
    } finally {
      receiver.status = 200;
    }
    expect(await introspect(tokens.access_token)).toBe(false);
    const { rows } = await db().query<{ session_id: string; delivered_at: Date | null }>(
      'SELECT session_id, delivered_at FROM backchannel_logouts WHERE session_id = ANY($1) ORDER BY session_id',
      [[decodeJwt(tokens.access_token).sid, web]],
    );
    expect(rows).toHaveLength(2);
    expect(rows.every((row) => row.delivered_at === null)).toBe(true);
  });

  /** Opens a client session of the web client in the browser's SSO session; returns its sid. */
  async function webSessionInSso(browser: CookieJar): Promise<string> {
    const url = new URL(`${issuer}/protocol/openid-connect/auth`);
    const params = { client_id: 'web', redirect_uri: 'http://127.0.0.1/web/callback', response_type: 'code', scope: 'openid' };
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    const response = await browser.fetch(url.href);
    const code = new URL(response.headers.get('location')!).searchParams.get('code')!;
    const grant = await postForm(
      `${issuer}/protocol/openid-connect/token`,
      new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: 'http://127.0.0.1/web/callback' }),
      { authorization: basic('web', TEST_SECRETS.web) },
    );
    return decodeJwt(grant.body.access_token as string).sid as string;
  }

  const db = () => server.app.get<Database>(DATABASE);

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
        (nameId) => ({ options: { binding: 'post', nameId, destination: idp.acsUrl }, to: otherIdp }),
      ],
    ];

    it.each(cases)('%s', async (_name, reason, build) => {
      const { tokens, nameId, browser } = await login();
      const { options, to } = build(nameId);
      const message = (to ?? idp).logout.request(options);
      // Another realm's IdP sends to its own realm's endpoint; here it is pointed at this realm's.
      const url = to ? message.url.replace('/realms/other/', '/realms/nemlogin/') : message.url;
      const response =
        options.binding === 'redirect'
          ? await browser.fetch(url)
          : await browser.fetch(url, {
              method: 'POST',
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              body: new URLSearchParams(message.form).toString(),
            });
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      const refusal = server.logs.filter((line) => line.includes('SAML logout message refused')).at(-1);
      expect(JSON.parse(refusal!).reason).toContain(reason);
      expect(await introspect(tokens.access_token)).toBe(true);
      expect((await refresh(server.baseUrl, 'nemlogin', tokens.refresh_token as string)).status).toBe(200);
    });

    it('replayed: the same LogoutRequest a second time is refused, and ends nothing the person opened since', async () => {
      const { nameId } = await login();
      const message = idp.logout.request({ binding: 'redirect', nameId, relayState: 'r' });
      expect((await fetch(message.url, { redirect: 'manual' })).status).toBe(303);
      const again = await samlHttpLogin(issuer, idp, CLIENT, { attributes: citizenAttributes({ cpr: CPR }), nameId });
      expect((await fetch(message.url, { redirect: 'manual' })).status).toBe(400);
      expect(server.logs.filter((line) => line.includes('SAML logout message refused')).at(-1)).toContain('replay');
      expect(await introspect(again.tokens!.access_token)).toBe(true);
    });
  });

  /**
   * Review finding 1: a logout message needs no pending login to reach the worker, where node-saml
   * searches the whole document for the signature's Reference by XPath before any crypto. A forged
   * LogoutRequest within a login Response's limits cost ~300 ms of worker CPU; the logout profile of
   * limits refuses it on the main thread.
   */
  describe('logout messages are bounded before the worker', () => {
    /** How many logout messages reached the worker pool while `run` ran. */
    async function workerCalls(run: () => Promise<void>): Promise<number> {
      const workers = server.app.get(SamlWorkers);
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
      fetch(idp.acsUrl, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          [field]: Buffer.from(xml).toString('base64'),
          ...(relayState ? { RelayState: relayState } : {}),
        }).toString(),
      });

    it.each([
      ['the 155 KB one (700 elements × 30 attributes), within a login Response’s limits', 700, 30, 'message too large'],
      ['one under the byte cap with too many elements', 120, 4, 'too many elements'],
      ['one under the element cap with too many attributes in all', 40, 10, 'too many attributes'],
    ])('refuses %s on the main thread: no worker sees it', async (_name, count, attributes, reason) => {
      const xml = forged(count, attributes);
      if (count === 700) {
        expect(Buffer.byteLength(xml)).toBeGreaterThan(150_000);
        expect(() => precheckXml(xml, DEFAULT_XML_LIMITS)).not.toThrow();
      }
      const calls = await workerCalls(async () => {
        const response = await postLogout('SAMLRequest', xml);
        expect(response.status).toBe(400);
      });
      expect(calls).toBe(0);
      const refusal = server.logs.filter((line) => line.includes('SAML logout message refused')).at(-1);
      expect(JSON.parse(refusal!).reason).toBe(reason);
    });

    it('leaves an honest signed LogoutRequest by HTTP-POST far below every logout limit, and verifies it', async () => {
      const { nameId, browser } = await login();
      const message = idp.logout.request({ binding: 'post', nameId, sessionIndexes: ['_a', '_b', '_c'] });
      const xml = Buffer.from(message.form.SAMLRequest!, 'base64').toString('utf8');
      const shape = measureXml(xml);
      expect(shape.elements * 3).toBeLessThanOrEqual(LOGOUT_XML_LIMITS.maxElements);
      expect(shape.attributes * 3).toBeLessThanOrEqual(LOGOUT_XML_LIMITS.maxAttributes);
      expect(shape.attributesPerElement * 2).toBeLessThanOrEqual(LOGOUT_XML_LIMITS.maxAttributesPerElement);
      expect(shape.depth * 2).toBeLessThanOrEqual(LOGOUT_XML_LIMITS.maxDepth);
      expect(Buffer.byteLength(xml) * 4).toBeLessThanOrEqual(MAX_LOGOUT_XML_BYTES);
      const calls = await workerCalls(async () => {
        const { response } = await sendLogoutRequest(browser, { binding: 'post', nameId });
        expect(response.status).toBe(200);
      });
      expect(calls).toBe(1);
    });

    it.each(['redirect', 'post'] as const)(
      'sets a LogoutResponse (HTTP-%s) answering no pending logout aside unverified: the logged-out page, no worker',
      async (binding) => {
        const answer = idp.logout.response({ binding, inResponseTo: '_no-such-request', relayState: 'r' });
        const logged = server.logs.length;
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
        expect(server.logs.slice(logged).join('\n')).toContain('LogoutResponse answers no pending logout');
      },
    );
  });

  it('no CPR and no NameID reach a log line', async () => {
    const { nameId, browser, tokens } = await login();
    await sendLogoutRequest(browser, { binding: 'post', nameId });
    await receiver.tokenFor(decodeJwt(tokens.access_token).sid as string);
    const logs = server.logs.join('\n');
    expect(logs).not.toContain(CPR);
    expect(logs).not.toContain('data.gov.dk/model/core/eid/person/uuid');
  });

  it('SP metadata lists the SingleLogoutService at the broker endpoint in both bindings', async () => {
    const xml = await (await fetch(`${issuer}/broker/nemlog-in/endpoint/descriptor`)).text();
    const endpoint = `${issuer}/broker/nemlog-in/endpoint`;
    expect(xml).toContain(`<SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${endpoint}"`);
    expect(xml).toContain(`<SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${endpoint}"`);
  });
});
