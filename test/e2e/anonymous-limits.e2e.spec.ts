import { createHash, randomBytes } from 'node:crypto';
import { openDatabase } from '../../src/storage/database.factory.js';
import { statementText, type Database } from '../../src/storage/database.js';
import { cookiesFrom } from '../support/browser-cookies.js';
import { CookieJar } from '../support/cookie-jar.js';
import { PUBLIC_CLIENT } from '../support/login-flow.js';
import { citizenAttributes } from '../support/saml/saml-attributes.js';
import type { TestIdp } from '../support/saml/test-idp.js';
import { startSamlTestServer } from '../support/saml/saml-test-server.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * What one anonymous client can make the service do and keep (issue 15, finding 2): parameter
 * values of the authorization request are bounded, the login routes are rate limited per client
 * address and in total, and the pending logins in the database have a ceiling.
 */
function authorizeUrl(baseUrl: string, extra: Record<string, string> = {}): URL {
  const url = new URL(`${baseUrl}/realms/nemlogin/protocol/openid-connect/auth`);
  const challenge = createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url');
  for (const [name, value] of Object.entries({
    client_id: PUBLIC_CLIENT.clientId,
    redirect_uri: PUBLIC_CLIENT.redirectUri,
    response_type: 'code',
    scope: 'openid',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: 'st',
    ...extra,
  }))
    url.searchParams.set(name, value);
  return url;
}

const countPending = async (db: Database) =>
  Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM login_transactions')).rows[0]!.n);

describe('bounded authorization request parameters', () => {
  let db: Database;
  let server: TestServer;

  beforeAll(async () => {
    db = await openDatabase({ url: '', dataDir: 'memory://' });
    server = await startTestServer({ overrides: { database: db } });
  });
  afterAll(async () => {
    await server.close();
    await db.close();
  });

  const refusal = async (response: Response) => {
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(PUBLIC_CLIENT.redirectUri);
    return location.searchParams;
  };

  it('accepts state, nonce and scope up to their caps', async () => {
    const response = await fetch(authorizeUrl(server.baseUrl, { state: 's'.repeat(2048), nonce: 'n'.repeat(512) }), { redirect: 'manual' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toContain('/broker/mock/login?tx=');
  });

  it('refuses a longer state as invalid_request via the redirect, without echoing it, and stores nothing', async () => {
    const before = await countPending(db);
    const params = await refusal(await fetch(authorizeUrl(server.baseUrl, { state: 's'.repeat(2049) }), { redirect: 'manual' }));
    expect(params.get('error')).toBe('invalid_request');
    expect(params.get('state')).toBeNull();
    expect(await countPending(db)).toBe(before);
  });

  it('refuses a longer nonce or scope, echoing the state', async () => {
    for (const extra of [{ nonce: 'n'.repeat(513) }, { scope: `openid${' openid'.repeat(700)}` }] as Record<string, string>[]) {
      const params = await refusal(await fetch(authorizeUrl(server.baseUrl, extra), { redirect: 'manual' }));
      expect(params.get('error')).toBe('invalid_request');
      expect(params.get('state')).toBe('st');
    }
  });

  it('refuses a 20 KB state sent by form post, storing nothing, and a 200 KB one before its body is parsed', async () => {
    const post = (state: string) => {
      const url = authorizeUrl(server.baseUrl, { state });
      return fetch(`${url.origin}${url.pathname}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: url.searchParams.toString(),
      });
    };
    const before = await countPending(db);
    const response = await post('x'.repeat(20 * 1024));
    const params = await refusal(response);
    expect(params.get('error')).toBe('invalid_request');
    expect(response.headers.get('location')!.length).toBeLessThan(500);
    // Over any body's 64 KB (request-bodies.ts): the page that says so, as for any body too large.
    const tooLarge = await post('x'.repeat(200 * 1024));
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.text()).toContain('Too much was sent');
    expect(await countPending(db)).toBe(before);
  });

  it('shows a page, not a redirect, for an overlong client_id or redirect_uri', async () => {
    const overlong: Record<string, string>[] = [
      { client_id: 'c'.repeat(300) },
      { redirect_uri: `${PUBLIC_CLIENT.redirectUri}?${'q'.repeat(2100)}` },
    ];
    for (const extra of overlong) {
      const response = await fetch(authorizeUrl(server.baseUrl, extra), { redirect: 'manual' });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/text\/html/);
    }
  });
});

describe('rate limits on the login routes', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({
      patch: (raw) => {
        raw.trustProxy = true;
        raw.limits = { loginRate: { windowSeconds: 60, perAddress: 4, global: 10 } };
      },
    });
  });
  afterAll(() => server.close());

  const from = (address: string) => ({ 'x-forwarded-for': address });
  const authorize = (address: string) => fetch(authorizeUrl(server.baseUrl), { redirect: 'manual', headers: from(address) });

  it('answers 429 with Retry-After and a readable page once one address used its share; other addresses go on', async () => {
    for (let i = 0; i < 4; i++) expect((await authorize('203.0.113.1')).status).toBe(303);
    const limited = await authorize('203.0.113.1');
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.headers.get('content-type')).toMatch(/text\/html/);
    expect(await limited.text()).toContain('<h1>Too many login attempts</h1>');

    expect((await authorize('203.0.113.2')).status).toBe(303);
    // Routes outside the login flow are not limited.
    const discovery = await fetch(`${server.baseUrl}/realms/nemlogin/.well-known/openid-configuration`, { headers: from('203.0.113.1') });
    expect(discovery.status).toBe(200);
  });

  it('counts the mock login page and the assertion consumer service with the authorization endpoint', async () => {
    const address = '198.51.100.7';
    const started = await authorize(address);
    const page = started.headers.get('location')!;
    const cookie = cookiesFrom(started);
    expect((await fetch(page, { headers: { ...from(address), cookie } })).status).toBe(200);
    const acs = `${server.baseUrl}/realms/nemlogin/broker/some-idp/endpoint`;
    const post = {
      method: 'POST',
      headers: { ...from(address), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'SAMLResponse=x',
    };
    expect((await fetch(acs, post)).status).not.toBe(429);
    expect((await fetch(page, { headers: { ...from(address), cookie } })).status).toBe(200);
    expect((await fetch(page, { headers: { ...from(address), cookie } })).status).toBe(429);
    expect((await fetch(acs, post)).status).toBe(429);
  });

  it('limits all addresses together, too', async () => {
    // 4 + 1 + 4 requests were let through above; one more fills the global share of 10.
    expect((await authorize('192.0.2.1')).status).toBe(303);
    const limited = await authorize('192.0.2.2');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('the global login share, with busy addresses', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({
      patch: (raw) => {
        raw.trustProxy = true;
        raw.limits = { loginRate: { windowSeconds: 60, perAddress: 30, global: 40 } };
      },
    });
  });
  afterAll(() => server.close());

  const authorize = (address: string) =>
    fetch(authorizeUrl(server.baseUrl), { redirect: 'manual', headers: { 'x-forwarded-for': address } });
  /** How many of `count` requests from `address` were let through. */
  const letThrough = async (address: string, count: number) => {
    let passed = 0;
    for (let i = 0; i < count; i++) if ((await authorize(address)).status !== 429) passed++;
    return passed;
  };

  it('keeps half of it for addresses that have only begun: two busy addresses cannot lock a person out', async () => {
    // Each busy address: its first 5 requests, then requests beyond them until those have half of the 40.
    expect(await letThrough('203.0.113.10', 30)).toBe(5 + 20);
    expect(await letThrough('203.0.113.11', 30)).toBe(5);
    // Someone who has only begun still gets in, where the busy addresses' 30 + 10 used to fill all 40.
    expect(await letThrough('198.51.100.20', 5)).toBe(5);
    // All addresses together stay within 40.
    expect(await letThrough('198.51.100.21', 6)).toBe(5);
    expect(await letThrough('198.51.100.22', 1)).toBe(0);
  });
});

describe('the ceiling on pending logins', () => {
  let db: Database;
  let server: TestServer;

  beforeAll(async () => {
    db = await openDatabase({ url: '', dataDir: 'memory://' });
    server = await startTestServer({ overrides: { database: db }, patch: (raw) => (raw.limits = { pendingLogins: 3 }) });
  });
  afterAll(async () => {
    await server.close();
    await db.close();
  });

  it('keeps at most the configured number, dropping the oldest first; the newest still completes', async () => {
    const started: { page: string; cookie: string }[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await fetch(authorizeUrl(server.baseUrl), { redirect: 'manual' });
      expect(response.status).toBe(303);
      started.push({ page: response.headers.get('location')!, cookie: cookiesFrom(response) });
    }
    expect(await countPending(db)).toBe(3);
    for (const [index, { page, cookie }] of started.entries()) {
      const response = await fetch(page, { headers: { cookie } });
      expect(response.status).toBe(index < 2 ? 400 : 200);
    }
    const newest = new URL(started[4]!.page);
    const completed = await fetch(`${newest.origin}${newest.pathname}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: started[4]!.cookie },
      body: new URLSearchParams({ tx: newest.searchParams.get('tx')!, username: 'alice' }).toString(),
    });
    expect(completed.status).toBe(303);
    expect(new URL(completed.headers.get('location')!).searchParams.get('code')).toBeTruthy();
  });
});

/**
 * Finding 6: following the chooser's link of one pending login again and again sent an AuthnRequest
 * each time, and each left a pending SAML request (1800 s, three times the login's 600 s) outside the
 * pendingLogins ceiling. A login now keeps one per IdP: the latest, which its browser took to the IdP.
 */
describe('pending SAML requests of one login', () => {
  let db: Database;
  let server: TestServer;
  let idp: TestIdp;
  let issuer: string;

  beforeAll(async () => {
    db = await openDatabase({ url: '', dataDir: 'memory://' });
    ({ server, idp, issuer } = await startSamlTestServer({ overrides: { database: db } }));
  });
  afterAll(async () => {
    await server.close();
    await db.close();
  });

  const pendingAuthnRequests = async (relayState: string) =>
    Number(
      (
        await db.query<{ n: string }>(`SELECT count(*) AS n FROM saml_pending_requests WHERE kind = 'authn' AND relay_state = $1`, [
          relayState,
        ])
      ).rows[0]!.n,
    );

  /** A login sent to the IdP, then its chooser link followed `again` more times: every AuthnRequest URL, oldest first. */
  async function startAndContinue(again: number) {
    const browser = new CookieJar();
    const first = await browser.fetch(authorizeUrl(server.baseUrl, { kc_idp_hint: 'nemlog-in' }).href);
    expect(first.status).toBe(303);
    const locations = [first.headers.get('location')!];
    const tx = new URL(locations[0]!).searchParams.get('RelayState')!;
    for (let i = 0; i < again; i++) {
      const next = await browser.fetch(`${issuer}/broker/nemlog-in/login?tx=${encodeURIComponent(tx)}`);
      expect(next.status).toBe(303);
      locations.push(next.headers.get('location')!);
    }
    return { browser, tx, locations };
  }

  async function answer(browser: CookieJar, location: string) {
    const { form } = await idp.respondTo(location, { attributes: citizenAttributes() });
    const back = await browser.fetch(idp.acsUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
    expect(back.status).toBe(303);
    return new URL(back.headers.get('location')!).searchParams;
  }

  it('keeps one per IdP however often the login is continued; the latest request completes the login', async () => {
    const { browser, tx, locations } = await startAndContinue(20);
    expect(new Set(locations).size).toBe(21);
    expect(await pendingAuthnRequests(tx)).toBe(1);
    expect((await answer(browser, locations.at(-1)!)).get('code')).toBeTruthy();
    expect(await pendingAuthnRequests(tx)).toBe(0);
  });

  it('refuses the Response to a request a later one replaced', async () => {
    const { browser, locations } = await startAndContinue(1);
    const callback = await answer(browser, locations[0]!);
    expect(callback.get('code')).toBeNull();
    expect(callback.get('error')).toBe('access_denied');
    const refusal = server.logs.filter((line) => line.includes('login refused')).at(-1);
    expect(JSON.parse(refusal!).reason).toContain('InResponseTo names no pending request');
  });
});

/**
 * The JWKS and a token naming a key this instance has not cached both read the realm's signing keys
 * from the database, and anyone may ask for either as often as they like: a flood of `/certs` (or of
 * bearer tokens with a made-up `kid`) was a flood of statements, which on the embedded database queued
 * ahead of every grant. Requests that ask while a read is under way share the next one (not the one
 * under way, which may predate a rotation they must see: published-keys.spec.ts).
 */
describe('signing keys read for anonymous requests', () => {
  let db: Database;
  let server: TestServer;
  let keyReads = 0;

  beforeAll(async () => {
    db = await openDatabase({ url: '', dataDir: 'memory://' });
    server = await startTestServer({ overrides: { database: db } });
    // Each read of the signing keys takes 300 ms from now on, so that requests sent together overlap it.
    const query = db.query.bind(db);
    db.query = (async (...args: Parameters<Database['query']>) => {
      if (/\bFROM signing_keys\b/.test(statementText(args[0]))) {
        keyReads++;
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      return query(...args);
    }) as Database['query'];
  });
  afterAll(async () => {
    await server.close();
    await db.close();
  });

  const together = async (count: number, request: () => Promise<Response>) => {
    keyReads = 0;
    const responses = await Promise.all(Array.from({ length: count }, request));
    return { statuses: new Set(responses.map((r) => r.status)), keyReads };
  };

  it('twenty JWKS requests at once cost two reads (the first one’s, and the next, which the rest share), and a request after them reads again', async () => {
    const certs = `${server.baseUrl}/realms/nemlogin/protocol/openid-connect/certs`;
    expect(await together(20, () => fetch(certs))).toEqual({ statuses: new Set([200]), keyReads: 2 });
    expect(await together(1, () => fetch(certs))).toEqual({ statuses: new Set([200]), keyReads: 1 });
  });

  it('twenty bearer tokens naming unknown keys at once cost two reads', async () => {
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const userinfo = `${server.baseUrl}/realms/nemlogin/protocol/openid-connect/userinfo`;
    const token = () => `${part({ alg: 'ES256', typ: 'at+jwt', kid: randomBytes(32).toString('base64url') })}.${part({ sub: 'x' })}.AAAA`;
    const answer = await together(20, () => fetch(userinfo, { headers: { authorization: `Bearer ${token()}` } }));
    expect(answer).toEqual({ statuses: new Set([401]), keyReads: 2 });
  });
});
