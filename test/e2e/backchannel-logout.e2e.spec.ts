import { createHash, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { DATABASE, type Database } from '../../src/storage/database.js';
import { attemptRecorded, outboxRow } from '../support/backchannel-outbox.js';
import { BackchannelReceiver } from '../support/backchannel-receiver.js';
import { engines, type Scratch } from '../support/database-engines.js';
import { loginTokens, PUBLIC_CLIENT, refresh } from '../support/login-flow.js';
import { loginAsMockUser } from '../support/mock-login.js';
import { sampleValue, scrape } from '../support/prometheus.js';
import { TestClock } from '../support/test-clock.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { postForm } from '../support/token-requests.js';

const EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** Verifies a logout token as a client would (OIDC Back-Channel Logout 1.0 §2.6), with jose against the realm's JWKS. */
async function verifyLogoutToken(token: string, issuer: string, clock: TestClock) {
  const { payload, protectedHeader } = await jwtVerify(token, createRemoteJWKSet(new URL(`${issuer}/protocol/openid-connect/certs`)), {
    issuer,
    audience: PUBLIC_CLIENT.clientId,
    typ: 'logout+jwt',
    currentDate: clock.now(),
    requiredClaims: ['iat', 'exp', 'jti', 'sid', 'sub', 'events'],
  });
  expect(protectedHeader.typ).toBe('logout+jwt');
  expect(payload.events).toEqual({ [EVENT]: {} });
  expect(payload).not.toHaveProperty('nonce');
  return payload;
}

const patch = (receiver: BackchannelReceiver) => (raw: Record<string, any>) => {
  raw.backchannelLogout = { intervalMs: 100, initialBackoffSeconds: 10 };
  raw.realms[0].clients.find((c: { clientId: string }) => c.clientId === 'patient-app').backchannelLogoutUri = receiver.url;
};

/**
 * OIDC Back-Channel Logout 1.0: whenever a session ends (RP logout, refresh-token or code reuse; not
 * expiry), the client with a backchannelLogoutUri gets a signed logout token by POST, from a database
 * outbox with bounded retries — also when the instance that ended the session stops before delivering.
 */
describe('back-channel logout', () => {
  const clock = new TestClock(new Date('2030-06-01T08:00:00Z'));
  let server: TestServer;
  let receiver: BackchannelReceiver;
  let issuer: string;

  beforeAll(async () => {
    receiver = await BackchannelReceiver.create();
    server = await startTestServer({ overrides: { clock }, patch: patch(receiver) });
    issuer = `${server.baseUrl}/realms/nemlogin`;
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  const login = () => loginTokens(server.baseUrl, 'nemlogin', 'alice');
  const sidOf = (token: string) => decodeJwt(token).sid as string;
  const db = () => server.app.get<Database>(DATABASE);
  const row = (sid: string) => outboxRow(db(), sid);

  it('discovery announces back-channel logout with sid', async () => {
    const metadata = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({ backchannel_logout_supported: true, backchannel_logout_session_supported: true });
  });

  it('RP-initiated logout: the client receives a logout token that verifies against the JWKS, naming the session and user', async () => {
    const tokens = await login();
    await fetch(`${issuer}/protocol/openid-connect/logout?${new URLSearchParams({ id_token_hint: tokens.id_token })}`);
    const payload = await verifyLogoutToken(await receiver.tokenFor(sidOf(tokens.access_token)), issuer, clock);
    expect(payload).toMatchObject({ sid: sidOf(tokens.access_token), sub: decodeJwt(tokens.access_token).sub, aud: 'patient-app' });
    expect(await attemptRecorded(db(), sidOf(tokens.access_token))).toMatchObject({ attempts: 1, delivered_at: clock.now() });
  });

  it('refresh-token reuse ends the session, and the client hears of it', async () => {
    const tokens = await login();
    expect((await refresh(server.baseUrl, 'nemlogin', tokens.refresh_token)).status).toBe(200);
    expect((await refresh(server.baseUrl, 'nemlogin', tokens.refresh_token)).status).toBe(400);
    await verifyLogoutToken(await receiver.tokenFor(sidOf(tokens.access_token)), issuer, clock);
  });

  it('a replayed authorization code ends its session, and the client hears of it', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const authorize = new URL(`${issuer}/protocol/openid-connect/auth`);
    const params = {
      client_id: PUBLIC_CLIENT.clientId,
      redirect_uri: PUBLIC_CLIENT.redirectUri,
      response_type: 'code',
      scope: 'openid',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      kc_idp_hint: 'mock',
    };
    for (const [name, value] of Object.entries(params)) authorize.searchParams.set(name, value);
    const code = (await loginAsMockUser(authorize.href, 'alice')).searchParams.get('code')!;
    const redeem = () =>
      postForm(
        `${issuer}/protocol/openid-connect/token`,
        new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: PUBLIC_CLIENT.redirectUri,
          client_id: PUBLIC_CLIENT.clientId,
          code_verifier: verifier,
        }),
      );
    const first = await redeem();
    expect((await redeem()).status).toBe(400);
    await verifyLogoutToken(await receiver.tokenFor(sidOf(first.body.access_token as string)), issuer, clock);
  });

  it('a failed delivery is retried after its backoff; a refusal (4xx) is not', async () => {
    const attempts = await scrape(`${server.baseUrl}/metrics`);
    const tokens = await login();
    receiver.status = 503;
    const failed = receiver.nextAnswer();
    await fetch(`${issuer}/protocol/openid-connect/logout?${new URLSearchParams({ id_token_hint: tokens.id_token })}`);
    expect(await failed).toBe(503);
    receiver.status = 200;
    // The clock moves only once the failure is recorded: its backoff counts from then.
    expect(await attemptRecorded(db(), sidOf(tokens.access_token))).toMatchObject({ attempts: 1, delivered_at: null, failed_at: null });
    // /metrics shows the token owed (the test clock has not moved since the session ended), once the
    // queue is counted again after the scrape above (at most once a second, metrics/throttled-reading.ts).
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const owed = await scrape(`${server.baseUrl}/metrics`);
    expect(sampleValue(owed, 'federation_backchannel_logout_queue_entries')).toBe(1);
    expect(sampleValue(owed, 'federation_backchannel_logout_queue_oldest_seconds')).toBe(0);
    clock.advance(11);
    await verifyLogoutToken(await receiver.tokenFor(sidOf(tokens.access_token)), issuer, clock);
    expect((await row(sidOf(tokens.access_token)))!.attempts).toBe(2);
    await attemptRecorded(db(), sidOf(tokens.access_token));
    // Counted again after at most a second (metrics/throttled-reading.ts).
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(sampleValue(await scrape(`${server.baseUrl}/metrics`), 'federation_backchannel_logout_queue_entries')).toBe(0);

    const refused = await login();
    receiver.status = 400;
    const answered = receiver.nextAnswer();
    await fetch(`${issuer}/protocol/openid-connect/logout?${new URLSearchParams({ id_token_hint: refused.id_token })}`);
    expect(await answered).toBe(400);
    receiver.status = 200;
    expect(await attemptRecorded(db(), sidOf(refused.access_token))).toMatchObject({ attempts: 1, failed_at: clock.now() });
    // Each attempt's outcome is counted: the one retried, its delivery (an earlier test's may land too), the refusal.
    const counted = await scrape(`${server.baseUrl}/metrics`);
    const added = (outcome: string) =>
      sampleValue(counted, 'federation_backchannel_logout_attempts_total', { outcome }) -
      sampleValue(attempts, 'federation_backchannel_logout_attempts_total', { outcome });
    expect([added('retry'), added('given_up')]).toEqual([1, 1]);
    expect(added('delivered')).toBeGreaterThanOrEqual(1);
  });

  it('a session that merely expires is no logout event: nothing is queued', async () => {
    const tokens = await login();
    clock.advance(2 * 3600);
    expect((await refresh(server.baseUrl, 'nemlogin', tokens.refresh_token)).status).toBe(400);
    expect(await row(sidOf(tokens.access_token))).toBeUndefined();
  });
});

describe.each(engines)('back-channel logout across a restart on $name', (engine) => {
  const clock = new TestClock(new Date('2030-06-01T08:00:00Z'));
  let scratch: Scratch;
  let receiver: BackchannelReceiver;
  let servers: TestServer[] = [];

  beforeAll(async () => {
    scratch = await engine.createScratch();
    // The client's endpoint is down while the first instance runs: nothing can be delivered then.
    receiver = await BackchannelReceiver.create({ listening: false });
  });
  afterAll(async () => {
    for (const server of servers) await server.close();
    await receiver?.close();
    await scratch?.dispose();
  });

  it('a notification queued by an instance that stopped before delivering it is delivered by the next instance', async () => {
    const first = await startTestServer({ overrides: { clock, database: await scratch.connect() }, patch: patch(receiver) });
    servers = [first];
    const tokens = await loginTokens(first.baseUrl, 'nemlogin', 'alice');
    await fetch(
      `${first.baseUrl}/realms/nemlogin/protocol/openid-connect/logout?${new URLSearchParams({ id_token_hint: tokens.id_token })}`,
    );
    await first.close();
    servers = [];

    await receiver.listen();
    // Past any backoff or lease the first instance may have left on the row.
    clock.advance(3600);
    const second = await startTestServer({
      overrides: { clock, database: await scratch.connect() },
      patch: (raw) => {
        patch(receiver)(raw);
        raw.publicUrl = first.baseUrl;
      },
    });
    servers = [second];
    const token = await receiver.tokenFor(decodeJwt(tokens.access_token).sid as string);
    const issuer = `${first.baseUrl}/realms/nemlogin`;
    // Verified against the JWKS the new instance serves (same database, same keys), at its address.
    const { payload } = await jwtVerify(
      token,
      createRemoteJWKSet(new URL(`${second.baseUrl}/realms/nemlogin/protocol/openid-connect/certs`)),
      {
        issuer,
        audience: PUBLIC_CLIENT.clientId,
        typ: 'logout+jwt',
        currentDate: clock.now(),
      },
    );
    expect(payload).toMatchObject({ sid: decodeJwt(tokens.access_token).sid, events: { [EVENT]: {} } });
  });
});
