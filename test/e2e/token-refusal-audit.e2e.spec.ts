import { openDatabase } from '../../src/storage/database.factory.js';
import type { Database } from '../../src/storage/database.js';
import { expectOAuthError } from '../support/oauth-error.js';
import { eventuallyRefusalEvents, refusalEvents } from '../support/refusal-events.js';
import { TestClock } from '../support/test-clock.js';
import { TEST_SECRETS } from '../support/test-config.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { basic, postForm } from '../support/token-requests.js';

/**
 * What a flood of wrong client credentials leaves in the audit trail: the first
 * `limits.tokenRefusalAudit.perAddress` refusals of an address per window one by one, the rest as one
 * counted summary when the window closes. Every refusal is still answered as RFC 6749 §5.2 asks, and
 * a client that authenticates is not touched by any of it.
 */
describe('the audit trail of refused client authentications, bounded', () => {
  const clock = new TestClock();
  let db: Database;
  let server: TestServer;
  let tokenUrl: string;
  let closed = false;

  beforeAll(async () => {
    db = await openDatabase({ url: '', dataDir: 'memory://' });
    server = await startTestServer({ overrides: { database: db, clock } });
    tokenUrl = `${server.baseUrl}/realms/nemlogin/protocol/openid-connect/token`;
  });
  afterAll(async () => {
    if (!closed) await server.close();
    await db.close();
  });

  const rows = (error: string) => refusalEvents(db, { error });
  const refused = async () => {
    const response = await postForm(tokenUrl, 'grant_type=client_credentials&client_id=nobody&client_secret=x');
    expectOAuthError(response, 401, 'invalid_client');
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="nemlogin"');
  };
  const clientCredentials = async () => {
    const response = await postForm(tokenUrl, 'grant_type=client_credentials', { authorization: basic('system', TEST_SECRETS.system) });
    expect(response.status).toBe(200);
    expect(response.body.access_token).toEqual(expect.any(String));
    expect(response.headers.get('cache-control')).toBe('no-store');
  };

  it('answers all of 100 refusals from one address as before, recording only its share of 60', async () => {
    for (let i = 0; i < 100; i++) await refused();
    const recorded = await rows('client_not_found');
    expect(recorded).toHaveLength(60);
    expect(recorded[0]).toMatchObject({ type: 'CLIENT_LOGIN_ERROR', ip_address: '127.0.0.1' });
    expect(await rows('refusals_not_recorded')).toEqual([]);
  });

  it('still serves a client that authenticates from the flooding address, and records its login', async () => {
    const before = (await db.query("SELECT 1 FROM audit_events WHERE type = 'CLIENT_LOGIN'")).rows.length;
    for (let i = 0; i < 5; i++) await clientCredentials();
    expect((await db.query("SELECT 1 FROM audit_events WHERE type = 'CLIENT_LOGIN'")).rows.length).toBe(before + 5);
  });

  it('records the 40 not recorded as one summary once the window has passed', async () => {
    const windowStart = clock.now();
    clock.advance(60);
    await refused();
    const [summary, ...more] = await eventuallyRefusalEvents(db, { error: 'refusals_not_recorded' }, 1);
    expect(more).toEqual([]);
    expect(summary).toEqual({
      type: 'CLIENT_LOGIN_ERROR',
      error: 'refusals_not_recorded',
      client_id: null,
      ip_address: '127.0.0.1',
      // The window opened at the first refusal; the test clock stood still until now.
      details: {
        refusals: 40,
        types: ['CLIENT_LOGIN_ERROR'],
        client_login_error: 40,
        window_start: windowStart.toISOString(),
        window_seconds: 60,
      },
    });
    // The refusal after the window opened the next one, with a share of its own.
    expect(await rows('client_not_found')).toHaveLength(61);
  });

  it('writes the summary of the open window at shutdown', async () => {
    for (let i = 0; i < 64; i++) await refused();
    expect(await rows('client_not_found')).toHaveLength(120);
    await clientCredentials();
    await server.close();
    closed = true;
    const summaries = await rows('refusals_not_recorded');
    expect(summaries.map((row) => row.details.refusals)).toEqual([40, 5]);
  });
});
