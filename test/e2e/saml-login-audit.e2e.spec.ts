import { openDatabase } from '../../src/storage/database.factory.js';
import { DATABASE, type Database } from '../../src/storage/database.js';
import { CookieJar } from '../support/cookie-jar.js';
import { mockLoginResponse } from '../support/mock-login.js';
import { refusalEvents } from '../support/refusal-events.js';
import { citizenAttributes } from '../support/saml/saml-attributes.js';
import { postToAcs, startSamlLogin } from '../support/saml/saml-http-login.js';
import { startSamlTestServer } from '../support/saml/saml-test-server.js';
import * as tamper from '../support/saml/tamper.js';
import type { ResponseOptions, TestIdp } from '../support/saml/test-idp.js';
import type { TestServer } from '../support/test-server.js';

const CALLBACK = 'http://127.0.0.1/callback';
const CPR = '0101011234';
const STATUS = 'urn:oasis:names:tc:SAML:2.0:status:';
const CPR_ATTRIBUTE = 'https://data.gov.dk/model/core/eid/cprNumber';

function withoutCpr() {
  const { [CPR_ATTRIBUTE]: _cpr, ...rest } = citizenAttributes();
  return rest;
}

/**
 * What a login at a SAML IdP leaves in the audit trail, over HTTP: its LOGIN, or one LOGIN_ERROR
 * whose `error` tells the refusal's class apart — the IdP said no (`identity_provider_error`), its
 * Response did not hold (`invalid_saml_response`), the person's level of assurance was too low
 * (`loa_too_low`), the identity attributes the profile needs were not there (`invalid_identity_attributes`),
 * another browser than the one that started the login posted it (`different_browser`) — with the
 * client, the IdP and the browser's address, and never the CPR or a name.
 */
describe('the audit trail of SAML logins', () => {
  let server: TestServer;
  let idp: TestIdp;
  let issuer: string;
  let db: Database;

  beforeAll(async () => {
    ({ server, idp, issuer } = await startSamlTestServer());
    db = server.app.get<Database>(DATABASE);
  });
  afterAll(() => server.close());

  const PATIENT_APP = { clientId: 'patient-app', redirectUri: CALLBACK };
  /** A login of patient-app sent to the IdP by `browser`: where the IdP was sent (its AuthnRequest). */
  const startLogin = async (browser: CookieJar) => (await startSamlLogin(issuer, idp, PATIENT_APP, browser)).location;
  /** The events written since `since` (an id), oldest first. */
  const eventsAfter = async (since: string) =>
    (
      await db.query<Record<string, unknown>>(
        `SELECT type, error, client_id, user_id, session_id, idp_alias, ip_address, details FROM audit_events WHERE id > $1 ORDER BY id`,
        [since],
      )
    ).rows;
  const lastId = async () => (await db.query<{ id: string }>('SELECT coalesce(max(id), 0)::text AS id FROM audit_events')).rows[0]!.id;
  const good = (): ResponseOptions => ({ attributes: citizenAttributes({ cpr: CPR }) });

  /** The login's one event after the IdP answered with `response` in the browser that started it. */
  const outcome = async (response: ResponseOptions) => {
    const browser = new CookieJar();
    const location = await startLogin(browser);
    const since = await lastId();
    const { form } = await idp.respondTo(location, response);
    const back = await postToAcs(idp, browser, form);
    expect(back.status).toBe(303);
    return { events: await eventsAfter(since), callback: new URL(back.headers.get('location')!) };
  };

  it('a login: one LOGIN with the user, the session, the IdP and the address', async () => {
    const { events, callback } = await outcome(good());
    expect(events).toEqual([
      {
        type: 'LOGIN',
        error: null,
        client_id: 'patient-app',
        user_id: expect.any(String),
        session_id: callback.searchParams.get('session_state'),
        idp_alias: 'nemlog-in',
        ip_address: '127.0.0.1',
        details: expect.objectContaining({ user_type: 'PATIENT', link: 'patient' }),
      },
    ]);
  });

  it.each<[string, ResponseOptions, string]>([
    [
      'the IdP refused (a cancelled login)',
      { status: { code: `${STATUS}Responder`, subCode: `${STATUS}AuthnFailed` } },
      'identity_provider_error',
    ],
    [
      'a Response whose signature does not verify',
      { ...good(), tamper: tamper.modifyAttribute(CPR_ATTRIBUTE, '0202021234') },
      'invalid_saml_response',
    ],
    ['a Response for another audience', { ...good(), audiences: ['https://other-sp.example'] }, 'invalid_saml_response'],
    ['a level of assurance below the realm’s', { attributes: citizenAttributes({ cpr: CPR, loa: 'Low' }) }, 'loa_too_low'],
    ['no CPR in the citizen’s attributes', { attributes: withoutCpr() }, 'invalid_identity_attributes'],
  ])('%s: one LOGIN_ERROR of its class, the client told access_denied', async (_what, response, error) => {
    const { events, callback } = await outcome(response);
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(events).toEqual([
      {
        type: 'LOGIN_ERROR',
        error,
        client_id: 'patient-app',
        user_id: null,
        session_id: null,
        idp_alias: 'nemlog-in',
        ip_address: '127.0.0.1',
        details: { requestId: expect.any(String) },
      },
    ]);
  });

  it('a Response posted by another browser: a LOGIN_ERROR different_browser; the login stays for the browser that started it', async () => {
    const browser = new CookieJar();
    const location = await startLogin(browser);
    const since = await lastId();
    const { form } = await idp.respondTo(location, good());
    const other = new CookieJar();
    await startLogin(other);
    for (const poster of [new CookieJar(), other]) expect((await postToAcs(idp, poster, form)).status).toBe(400);
    expect((await eventsAfter(since)).map((event) => [event.type, event.error, event.client_id, event.session_id])).toEqual([
      ['LOGIN_ERROR', 'different_browser', 'patient-app', null],
      ['LOGIN_ERROR', 'different_browser', 'patient-app', null],
    ]);
    const done = await postToAcs(idp, browser, form);
    expect(new URL(done.headers.get('location')!).searchParams.get('code')).toBeTruthy();
  });

  it('keeps no CPR or name in any event', async () => {
    const all = JSON.stringify(await eventsAfter('0'));
    for (const text of [CPR, 'Karen', 'Jensen']) expect(all).not.toContain(text);
  });
});

/**
 * Another browser's post leaves the login pending, so one RelayState can be posted again and again by
 * anyone, without a cookie: each refusal was a row kept for the retention period. An address's
 * refusals of a window are recorded one by one up to `limits.loginRefusalAudit.perAddress`, the rest
 * counted into one summary; every post is still refused, and the login still completes in its own browser.
 */
describe('the audit trail of SAML responses posted by another browser, bounded', () => {
  let db: Database;
  let server: TestServer;
  let idp: TestIdp;
  let issuer: string;
  let closed = false;

  beforeAll(async () => {
    db = await openDatabase({ url: '', dataDir: 'memory://' });
    ({ server, idp, issuer } = await startSamlTestServer({
      overrides: { database: db },
      // A mocked citizen whose configured episode of care is another patient's: a refusal of the person's own.
      patch: (raw) =>
        raw.realms[0].mockUsers.push({ username: 'nancy-as-bo', kind: 'citizen', ssn: CPR, episodeOfCare: 'demo-eoc-bo-diabetes' }),
      adjust: (config) => {
        config.limits.loginRefusalAudit = { ...config.limits.loginRefusalAudit, perAddress: 3 };
      },
    }));
  });
  afterAll(async () => {
    if (!closed) await server.close();
    await db.close();
  });

  it('records an address’s share one by one and counts the rest into one summary', async () => {
    const browser = new CookieJar();
    const { location } = await startSamlLogin(issuer, idp, { clientId: 'patient-app', redirectUri: CALLBACK }, browser);
    const { form } = await idp.respondTo(location, { attributes: citizenAttributes({ cpr: CPR }) });
    for (let i = 0; i < 10; i++) expect((await postToAcs(idp, new CookieJar(), form)).status).toBe(400);
    expect(await refusalEvents(db, { error: 'different_browser' })).toHaveLength(3);

    const done = await postToAcs(idp, browser, form);
    expect(new URL(done.headers.get('location')!).searchParams.get('code')).toBeTruthy();

    // The share spent, a refusal past the browser check is still the person's, and recorded whole.
    const authorization = new URL(`${issuer}/protocol/openid-connect/auth`);
    authorization.search = new URLSearchParams({
      client_id: 'patient-app',
      redirect_uri: CALLBACK,
      response_type: 'code',
      scope: 'openid',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
      kc_idp_hint: 'mock', // the realm also has a SAML IdP: straight to the mocked users
    }).toString();
    expect((await mockLoginResponse(authorization.href, 'nancy-as-bo')).status).toBe(403);
    expect(await refusalEvents(db, { error: 'episode_of_care_refused' })).toEqual([
      expect.objectContaining({ type: 'LOGIN_ERROR', client_id: 'patient-app', details: { requestId: expect.any(String) } }),
    ]);

    // The window's summary is written at the latest when the service stops.
    await server.close();
    closed = true;
    expect(await refusalEvents(db, { error: 'refusals_not_recorded' })).toEqual([
      expect.objectContaining({
        type: 'LOGIN_ERROR',
        client_id: null,
        ip_address: '127.0.0.1',
        details: expect.objectContaining({ refusals: 7, types: ['LOGIN_ERROR'], login_error: 7, clients: ['patient-app'] }),
      }),
    ]);
  });
});
