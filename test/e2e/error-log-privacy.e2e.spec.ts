import { decodeJwt } from 'jose';
import { openDatabase } from '../../src/storage/database.factory.js';
import type { Database } from '../../src/storage/database.js';
import { sendJson, startStubServer, type StubServer } from '../support/fhir/stub-http-server.js';
import { loginTokens, PUBLIC_CLIENT, refresh } from '../support/login-flow.js';
import { loginAsMockUser } from '../support/mock-login.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/** Alice (test config) has the demo seed's CPR, so her login links to a Patient. */
const PERSONAL = ['Alice', 'Andersen', '0101011234', '010101-1234', 'Patient/'];
/** What a database error carries besides its class: the statement, its parameters, the failing row. */
const SQL = ['INSERT', 'UPDATE ', 'SELECT', 'Failing row', '"params"', '"query"', '"detail"'];

function authorizeUrl(baseUrl: string): string {
  const url = new URL(`${baseUrl}/realms/nemlogin/protocol/openid-connect/auth`);
  for (const [name, value] of Object.entries({
    client_id: 'web',
    redirect_uri: 'http://127.0.0.1/web/callback',
    response_type: 'code',
    scope: 'openid profile',
    state: 'st',
  }))
    url.searchParams.set(name, value);
  return url.href;
}

/** Every log line written since `from`, and a check that none holds any of `forbidden`. */
function expectClean(logs: string[], from: number, forbidden: string[]): string[] {
  const lines = logs.slice(from);
  for (const value of forbidden) expect(lines.filter((line) => line.includes(value))).toEqual([]);
  return lines;
}

/**
 * No personal data in the error log (issue 15, finding 3): a request that fails on the database or
 * on FHIR is logged with the error's class, a fixed message and the request id — never the SQL, its
 * parameters, a name, a CPR or a Patient reference.
 */
describe('error log privacy: database failures', () => {
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

  /** Every new or changed session row is refused from now on, as a full disk or a broken replica would. */
  const breakSessions = () => db.query('ALTER TABLE sessions ADD CONSTRAINT broken_for_test CHECK (false) NOT VALID');
  const repairSessions = () => db.query('ALTER TABLE sessions DROP CONSTRAINT broken_for_test');

  it('a failed session insert at login answers a fixed page and logs class and request id, never the row', async () => {
    const from = server.logs.length;
    await breakSessions();
    try {
      const failed = loginAsMockUser(authorizeUrl(server.baseUrl), 'alice');
      await expect(failed).rejects.toThrow(/mock login answered 500/);
    } finally {
      await repairSessions();
    }
    const lines = expectClean(server.logs, from, [...PERSONAL, ...SQL]);
    const failure = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((entry) => entry.msg === 'request failed');
    // The SQLSTATE of a check violation says what failed; the request id says which request.
    expect(failure).toMatchObject({
      level: 50,
      code: 'server_error',
      reason: 'unexpected error',
      err: { type: 'DatabaseError', code: '23514' },
    });
    expect(failure?.reqId).toEqual(expect.any(String));
    expect(Object.keys(failure!.err as object).sort()).toEqual(['code', 'frames', 'type']);
  });

  it('a failed session update at refresh logs neither the session id nor the token id', async () => {
    const tokens = await loginTokens(server.baseUrl, 'nemlogin', 'alice', 'openid profile', PUBLIC_CLIENT);
    const { sid, jti } = decodeJwt(tokens.refresh_token as string) as { sid: string; jti: string };
    const from = server.logs.length;
    await breakSessions();
    try {
      const response = await refresh(server.baseUrl, 'nemlogin', tokens.refresh_token as string);
      expect(response.status).toBe(500);
      expect(response.body).toEqual({ error: 'server_error', error_description: 'The server encountered an unexpected condition.' });
    } finally {
      await repairSessions();
    }
    expectClean(server.logs, from, [...PERSONAL, ...SQL, sid, jti]);
  });
});

describe('error log privacy: FHIR failures', () => {
  let fhir: StubServer;
  let server: TestServer;
  // Each login meets the next kind of failure; every answer echoes the person where a server might.
  const echo = 'Patient 0101011234 (Alice Andersen) urn:oid:1.2.208.176.1.2|0101011234';
  const answers: ((response: Parameters<typeof sendJson>[0]) => void)[] = [
    (r) => sendJson(r, 400, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: echo }] }),
    (r) => sendJson(r, 500, { resourceType: 'OperationOutcome', issue: [{ severity: 'fatal', code: 'exception', diagnostics: echo }] }),
    (r) => sendJson(r, 200, { resourceType: 'OperationOutcome', issue: [{ diagnostics: echo }] }),
    (r) =>
      sendJson(r, 200, {
        resourceType: 'Bundle',
        type: 'searchset',
        entry: [{ resource: { resourceType: 'Patient', id: 'p1', name: [{ given: ['Alice'], family: 'Andersen' }] } }],
      }),
    (r) =>
      sendJson(r, 200, { resourceType: 'Bundle', type: 'searchset', entry: [{ resource: { resourceType: 'Patient', identifier: echo } }] }),
    (r) => {
      r.writeHead(200, { 'content-type': 'application/fhir+json' });
      r.end(`{"resourceType":"Bundle","entry":[{"resource":{"name":"${echo}"`);
    },
  ];
  let next = 0;

  beforeAll(async () => {
    fhir = await startStubServer((response) => answers[Math.min(next, answers.length - 1)]!(response));
    server = await startTestServer({
      patch: (raw) => {
        raw.fhir = { baseUrl: fhir.baseUrl, timeoutMs: 500, retries: 0 };
      },
    });
  });
  afterAll(async () => {
    await server.close();
    await fhir.close();
  });

  it('a login whose FHIR linking fails in any way logs no CPR, name or Patient reference', async () => {
    const from = server.logs.length;
    for (next = 0; next < answers.length; next++) {
      const failed = await loginAsMockUser(authorizeUrl(server.baseUrl), 'alice').then(
        (callback) => callback.searchParams.get('error'),
        (error: unknown) => String(error),
      );
      expect(failed).toBeTruthy();
    }
    expectClean(server.logs, from, [...PERSONAL, ...SQL, echo]);
  });
});
