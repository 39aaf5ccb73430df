import type { BackchannelLogoutConfig } from '../../../src/config/backchannel-logout.schema.js';
import { BackchannelReceiver } from '../backchannel-receiver.js';
import type { CookieJar } from '../cookie-jar.js';
import { freePort } from '../free-port.js';
import { TEST_SECRETS } from '../test-config.js';
import type { TestServer } from '../test-server.js';
import { basic, postForm } from '../token-requests.js';
import { citizenAttributes } from './saml-attributes.js';
import { SAML_FIXTURES, testServiceProviderConfig } from './saml-fixtures.js';
import { samlHttpLogin } from './saml-http-login.js';
import { PUBLIC_CLIENT } from '../login-flow.js';
import { startSamlTestServer } from './saml-test-server.js';
import type { LogoutRequestOptions, OutgoingMessage, SpReply } from './test-idp-logout.js';
import { TestIdp } from './test-idp.js';

export const STATUS = 'urn:oasis:names:tc:SAML:2.0:status:';
export const CPR = '0101011234';

/** The test server of the SAML single logout specs, its IdPs, and the steps those specs take. */
export interface SloServer {
  server: TestServer;
  /** nemlogin's IdP, and another realm's with its own keys. */
  idp: TestIdp;
  otherIdp: TestIdp;
  /** The back-channel logout endpoint of `patient-app` (and of `web`, under `/web`). */
  receiver: BackchannelReceiver;
  /** nemlogin's issuer. */
  issuer: string;
  /** A login of a person of their own (so no test's LogoutRequest names another test's sessions). */
  login(sessionIndex?: string, browser?: CookieJar): Promise<Awaited<ReturnType<typeof samlHttpLogin>> & LoginNames>;
  /** Whether introspection calls `token` active. */
  introspect(token: string): Promise<unknown>;
  /** Sends the IdP's LogoutRequest through the browser, by its binding; returns the SP's answer. */
  sendLogoutRequest(
    browser: CookieJar,
    options: LogoutRequestOptions,
    to?: TestIdp,
  ): Promise<{ message: OutgoingMessage; response: Response }>;
  /** The SP's reply as the IdP receives it: from the redirect, or from the self-posting form. */
  replyOf(response: Response): Promise<SpReply>;
  close(): Promise<void>;
}

interface LoginNames {
  nameId: string;
  sessionIndex: string;
  tokens: NonNullable<Awaited<ReturnType<typeof samlHttpLogin>>['tokens']>;
}

/**
 * The demo server with nemlogin federated to a samlify IdP that has a SingleLogoutService, the
 * clients' back-channel logout endpoints at one receiver, and a second realm with an IdP of its own;
 * `backchannelLogout` over its delivery settings (a round every 100 ms).
 */
export async function startSloServer(backchannelLogout: Partial<BackchannelLogoutConfig> = {}): Promise<SloServer> {
  const port = await freePort();
  const otherIdp = await TestIdp.create({
    realmIssuer: `http://127.0.0.1:${port}/realms/other`,
    alias: 'nemlog-in',
    entityId: 'https://idp.test/other-realm',
    signingKey: SAML_FIXTURES.otherIdpSigningKey,
    signingCertificate: SAML_FIXTURES.otherIdpSigningCertificate,
  });
  const receiver = await BackchannelReceiver.create();
  const { server, idp, issuer } = await startSamlTestServer({
    port,
    slo: true,
    patch: (raw) => {
      raw.backchannelLogout = { intervalMs: 100, ...backchannelLogout };
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
  let nameIds = 0;
  return {
    server,
    idp,
    otherIdp,
    receiver,
    issuer,
    async login(sessionIndex = `_idx-${nameIds + 1}`, browser) {
      const nameId = `https://data.gov.dk/model/core/eid/person/uuid/00000000-0000-4000-8000-${String(++nameIds).padStart(12, '0')}`;
      const result = await samlHttpLogin(
        issuer,
        idp,
        PUBLIC_CLIENT,
        { attributes: citizenAttributes({ cpr: CPR }), nameId, sessionIndex },
        { browser },
      );
      return { ...result, nameId, sessionIndex, tokens: result.tokens! };
    },
    introspect: async (token) =>
      (
        await postForm(`${issuer}/protocol/openid-connect/token/introspect`, new URLSearchParams({ token }), {
          authorization: basic('system', TEST_SECRETS.system),
        })
      ).body.active,
    async sendLogoutRequest(browser, options, to = idp) {
      const message = to.logout.request({ relayState: 'idp-relay-state', ...options });
      return { message, response: await deliverToSp(browser, message, options.binding) };
    },
    async replyOf(response) {
      if (response.status === 303) return { location: response.headers.get('location')! };
      expect(response.status).toBe(200);
      const html = await response.text();
      const action = /<form[^>]* action="([^"]+)"/.exec(html)?.[1];
      const fields = Object.fromEntries(
        [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]),
      );
      expect(action).toBe(idp.sloUrl);
      return { form: fields };
    },
    async close() {
      await server.close();
      await receiver.close();
    },
  };
}

/** The SLO server of the calling `describe` (`backchannelLogout` over its settings): started before its specs, closed after them. */
export function sloServerForSuite(backchannelLogout?: Partial<BackchannelLogoutConfig>): SloServer {
  const suite = {} as SloServer;
  beforeAll(async () => {
    Object.assign(suite, await startSloServer(backchannelLogout));
  });
  afterAll(() => suite.close?.());
  return suite;
}

/** An IdP's message as the browser carries it to the SP: followed by HTTP-Redirect, or posted as the form (HTTP-POST). */
export function deliverToSp(browser: CookieJar, message: OutgoingMessage, binding: 'redirect' | 'post'): Promise<Response> {
  return binding === 'redirect'
    ? browser.fetch(message.url)
    : browser.fetch(message.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(message.form).toString(),
      });
}
