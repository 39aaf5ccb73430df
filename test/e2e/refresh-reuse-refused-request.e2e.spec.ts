import { decodeJwt } from 'jose';
import type { OAuthErrorCode } from '../../src/protocol/oauth-error.js';
import { DATABASE, type Database } from '../../src/storage/database.js';
import { outboxRow } from '../support/backchannel-outbox.js';
import { engines, type Scratch } from '../support/database-engines.js';
import { loginTokens, portalDelegation, refresh } from '../support/login-flow.js';
import { expectOAuthError } from '../support/oauth-error.js';
import { sampleValue, scrape } from '../support/prometheus.js';
import { TEST_SECRETS, TEST_TENANTS } from '../support/test-config.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { PORTAL_HEADERS } from '../support/token-exchange-server.js';
import { basic, postForm, type RawResponse } from '../support/token-requests.js';

const AGB = (code: string) => `http://fhir.nl/fhir/NamingSystem/agb-z|${code}`;

/**
 * RFC 9700 §4.14.2: an already rotated refresh token presented again ends its whole session, whatever
 * else is wrong with the request — a scope wider than granted, a tenant (`organisation_agb`) that is
 * not the session's. Refused for that first, a leaked stale token could be tried again and again
 * without ever tripping reuse detection. The same refusal of a current token still changes nothing.
 */
describe.each(engines)('a rotated refresh token refused for another reason on $name', (engine) => {
  let scratch: Scratch;
  let server: TestServer;
  let token: string;
  let db: Database;

  beforeAll(async () => {
    scratch = await engine.createScratch();
    server = await startTestServer({ overrides: { database: await scratch.connect() } });
    token = `${server.baseUrl}/realms/nemlogin/protocol/openid-connect/token`;
    db = server.app.get<Database>(DATABASE);
  });
  afterAll(async () => {
    await server?.close();
    await scratch?.dispose();
  });

  /** A refresh by the portal (its credentials, and its allowed tenant unless `agb` names another). */
  const portalRefresh = (refreshToken: string, extra: Record<string, string> = {}, agb = PORTAL_HEADERS.organisation_agb) =>
    postForm(token, new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, ...extra }), {
      authorization: PORTAL_HEADERS.authorization,
      organisation_agb: agb,
    });
  const introspect = (accessToken: string, headers: Record<string, string>) =>
    postForm(`${token}/introspect`, new URLSearchParams({ token: accessToken }), headers);
  const asSystem = { authorization: basic('system', TEST_SECRETS.system) };
  const reuses = async () =>
    sampleValue(await scrape(`${server.baseUrl}/metrics`), 'federation_refresh_token_reuse_total', { realm: 'nemlogin' });

  /** A session's chain as a patient app or a portal refreshes it: the token rotated once (stale) and the winner's tokens. */
  interface Chain {
    stale: string;
    winner: { access: string; refresh: string };
    sid: string;
    /** The refresh of `refreshToken` by the chain's client, with `extra` form parameters and, for the portal, tenant `agb`. */
    refresh(refreshToken: string, extra?: Record<string, string>, agb?: string): Promise<RawResponse>;
    /** Introspection headers of a client that sees the chain's tokens. */
    introspector: Record<string, string>;
  }

  const rotatedOnce = async (first: string, refreshOf: Chain['refresh'], introspector: Record<string, string>): Promise<Chain> => {
    const rotated = await refreshOf(first);
    expect(rotated.status).toBe(200);
    const winner = { access: rotated.body.access_token as string, refresh: rotated.body.refresh_token as string };
    return { stale: first, winner, sid: decodeJwt(winner.access).sid as string, refresh: refreshOf, introspector };
  };
  /** The patient app's refresh naming a tenant (`organisation_agb`), which a client without tenants must not. */
  const patientRefreshNaming = (refreshToken: string, extra: Record<string, string>, agb: string) =>
    postForm(token, new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'patient-app', ...extra }), {
      organisation_agb: agb,
    });
  const patientChain = async () =>
    rotatedOnce(
      (await loginTokens(server.baseUrl, 'nemlogin', 'alice')).refresh_token as string,
      (refreshToken, extra = {}, agb) =>
        agb ? patientRefreshNaming(refreshToken, extra, agb) : refresh(server.baseUrl, 'nemlogin', refreshToken, extra),
      asSystem,
    );
  /** The portal's refresh token of a session delegated from a patient's (RFC 8693), after its first refresh. */
  const portalChain = async () => {
    const patient = await loginTokens(server.baseUrl, 'nemlogin', 'alice');
    const issued = await portalDelegation(server.baseUrl, 'nemlogin', patient.access_token as string);
    expect(issued.status).toBe(200);
    return rotatedOnce(issued.body.access_token as string, portalRefresh, {
      authorization: PORTAL_HEADERS.authorization,
      organisation_agb: PORTAL_HEADERS.organisation_agb,
    });
  };

  const cases: { what: string; chain: () => Promise<Chain>; extra: Record<string, string>; agb?: string; refusal: OAuthErrorCode }[] = [
    {
      what: 'the patient app, a scope wider than granted',
      chain: patientChain,
      extra: { scope: 'openid admin' },
      refusal: 'invalid_scope',
    },
    {
      what: 'the patient app, a tenant though the client has none',
      chain: patientChain,
      extra: {},
      agb: AGB(TEST_TENANTS.allowed),
      refusal: 'unauthorized_client',
    },
    {
      what: 'the portal, a scope wider than granted',
      chain: portalChain,
      extra: { scope: 'patient/*.read admin' },
      refusal: 'invalid_scope',
    },
    {
      what: 'the portal, another of its tenants than the session’s',
      chain: portalChain,
      extra: {},
      agb: AGB(TEST_TENANTS.other),
      refusal: 'invalid_request',
    },
    {
      what: 'the portal, a tenant it may not act for',
      chain: portalChain,
      extra: {},
      agb: AGB(TEST_TENANTS.forbidden),
      refusal: 'unauthorized_client',
    },
  ];

  it.each(cases)('$what: the stale token ends the session as any reuse, the winner’s tokens with it', async ({ chain, extra, agb }) => {
    const { stale, winner, sid, refresh: refreshOf, introspector } = await chain();
    const before = await reuses();

    expectOAuthError(await refreshOf(stale, extra, agb), 400, 'invalid_grant');

    // What a reuse leaves besides (audit-events, backchannel-logout and metrics specs): its refusal, its LOGOUT, the client told, counted.
    const events = await db.query<{ type: string; error: string | null; details: Record<string, unknown> }>(
      "SELECT type, error, details FROM audit_events WHERE session_id = $1 AND type IN ('REFRESH_TOKEN_ERROR', 'LOGOUT') ORDER BY id",
      [sid],
    );
    expect(events.rows.map((e) => [e.type, e.error, e.details.by, e.details.reason])).toEqual([
      ['LOGOUT', null, 'reuse', 'refresh_token_reused'],
      ['REFRESH_TOKEN_ERROR', 'refresh_token_reused', undefined, undefined],
    ]);
    expect(await outboxRow(db, sid)).toBeDefined();
    expect(await reuses()).toBe(before + 1);

    // The winner's tokens died with the session.
    expectOAuthError(await refreshOf(winner.refresh), 400, 'invalid_grant');
    expect((await introspect(winner.access, introspector)).body).toEqual({ active: false });
    const { rows } = await db.query<{ end_reason: string | null }>('SELECT end_reason FROM sessions WHERE id = $1', [sid]);
    expect(rows).toEqual([{ end_reason: 'refresh token reused' }]);
  });

  it.each(cases)('$what: the current token is refused and stays good', async ({ chain, extra, agb, refusal }) => {
    const { winner, sid, refresh: refreshOf } = await chain();
    const before = await reuses();

    expectOAuthError(await refreshOf(winner.refresh, extra, agb), 400, refusal);

    expect((await refreshOf(winner.refresh)).status).toBe(200);
    const { rows } = await db.query<{ ended_at: Date | null }>('SELECT ended_at FROM sessions WHERE id = $1', [sid]);
    expect(rows).toEqual([{ ended_at: null }]);
    expect(await reuses()).toBe(before);
  });
});
