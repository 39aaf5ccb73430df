import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { SessionRepository } from '../../src/storage/session.repository.js';
import { PostgresDatabase } from '../../src/storage/pg.database.js';
import { DEMO_APP, startOwnIssuer, startServiceProcess, type ServiceProcess } from '../support/built-service.js';
import { freePort } from '../support/free-port.js';
import { postgresEngine, testDatabaseUrl, type Scratch } from '../support/database-engines.js';
import { loginTokens, refresh } from '../support/login-flow.js';
import { startStubServer, type StubServer } from '../support/fhir/stub-http-server.js';
import { cookiesFrom } from '../support/browser-cookies.js';
import { builtServiceSuite } from '../support/service-process-suite.js';

// The service built once for this file, and a directory of its own for its data and config files.
const h = builtServiceSuite();

/** How the built service stops: on SIGTERM, within its deadline, or killed. What it refuses at start: service-process-start.e2e.spec.ts. */
describe('the service as a process', () => {
  const kidOf = async (service: ServiceProcess) =>
    ((await (await fetch(`${service.baseUrl}/realms/nemlogin/protocol/openid-connect/certs`)).json()) as { keys: { kid: string }[] })
      .keys[0]!.kid;

  it('stops on SIGTERM with exit code 0, and a restart on the same embedded database keeps its keys', async () => {
    const first = await startServiceProcess({ DATABASE_DIR: h.dataDir, DATABASE_URL: '' });
    const kid = await kidOf(first);
    await first.stop();
    expect(first.child.exitCode).toBe(0);
    const second = await startServiceProcess({ DATABASE_DIR: h.dataDir, DATABASE_URL: '' });
    expect(await kidOf(second)).toBe(kid);
    await second.stop();
  }, 180_000);

  it('on SIGTERM closes idle keep-alive connections at once and exits 0', async () => {
    const service = await startServiceProcess({ DATABASE_DIR: h.dataDir, DATABASE_URL: '' });
    const agent = new Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) =>
      get(`${service.baseUrl}/health/live`, { agent }, (response) => response.resume().on('end', resolve)).on('error', reject),
    );
    const started = Date.now();
    await service.stop();
    // Exit 0 within the shutdown deadline (10 s by default): an idle connection held open would have
    // kept the server closing until the deadline cut it with exit code 1.
    expect(service.child.exitCode).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    agent.destroy();
  }, 180_000);

  describe('with a request that never finishes', () => {
    let fhir: StubServer;
    let configFile: string;
    beforeAll(async () => {
      // A FHIR server that never answers, and a FHIR timeout far beyond the shutdown deadline.
      fhir = await startStubServer(() => {});
      const config = parse(readFileSync('fixtures/config/demo.yaml', 'utf8')) as Record<string, unknown>;
      config.fhir = { baseUrl: fhir.baseUrl, timeoutMs: 120_000, retries: 0 };
      config.shutdownTimeoutMs = 1000;
      configFile = join(h.dataDir, 'hanging-fhir.yaml');
      writeFileSync(configFile, stringify(config));
    });
    afterAll(() => fhir.close());

    it('exits once the shutdown deadline has passed, with exit code 1', async () => {
      const service = await startOwnIssuer({
        FEDERATION_CONFIG: configFile,
        DATABASE_DIR: join(h.dataDir, 'deadline'),
        DATABASE_URL: '',
      });
      const authorize = new URL(`${service.baseUrl}/realms/nemlogin/protocol/openid-connect/auth`);
      const challenge = createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url');
      for (const [name, value] of Object.entries({
        client_id: DEMO_APP.clientId,
        redirect_uri: DEMO_APP.redirectUri,
        response_type: 'code',
        scope: 'openid',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }))
        authorize.searchParams.set(name, value);
      const started = await fetch(authorize, { redirect: 'manual' });
      const cookie = cookiesFrom(started);
      const page = await (await fetch(started.headers.get('location')!, { headers: { cookie } })).text();
      const tx = /name="tx" value="([^"]+)"/.exec(page)![1]!;
      // The login's FHIR search hangs: the request stays in flight. (Readiness probes reach the stub
      // too, so wait for the Patient search itself, not for any request.)
      const inFlight = fetch(`${service.baseUrl}/realms/nemlogin/broker/mock/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        body: new URLSearchParams({ tx, username: 'nancy' }).toString(),
      }).catch(() => undefined);
      while (!fhir.urls.some((url) => url.includes('/Patient'))) await new Promise((resolve) => setTimeout(resolve, 50));

      const stopping = Date.now();
      await service.stop();
      expect(Date.now() - stopping).toBeLessThan(5000);
      expect(service.child.exitCode).toBe(1);
      await inFlight;
    }, 180_000);
  });
});

const SESSIONS = 20;

/**
 * Two service processes on one PostgreSQL: one is killed with SIGKILL in the middle of a refresh
 * load and started again. Every session survives in the database, and every session whose latest
 * refresh answer reached the client goes on refreshing, on either instance. (A client whose answer
 * was cut off holds a rotated token: presenting it again is reuse, which ends that session by design.)
 */
const engines = testDatabaseUrl ? [postgresEngine(testDatabaseUrl)] : [];

for (const engine of engines)
  describe(`kill -9 of one of two instances on ${engine.name}`, () => {
    let scratch: Scratch;
    let url: string;
    let a: ServiceProcess;
    let b: ServiceProcess;
    let aPort: number;
    let env: Record<string, string>;

    beforeAll(async () => {
      scratch = await engine.createScratch();
      url = scratch.url!;
      // One issuer for both, as behind a load balancer; logins run on A, whose port A' takes over.
      aPort = await freePort();
      env = { DATABASE_URL: url, PUBLIC_URL: `http://127.0.0.1:${aPort}` };
      [a, b] = await Promise.all([startServiceProcess(env, aPort), startServiceProcess(env)]);
    }, 300_000);
    afterAll(async () => {
      await a?.stop();
      await b?.stop();
      await scratch?.dispose();
    });

    it('loses no session', async () => {
      const tokens: string[] = [];
      for (let i = 0; i < SESSIONS; i++)
        tokens.push((await loginTokens(a.baseUrl, 'nemlogin', 'nancy', 'openid', DEMO_APP)).refresh_token as string);
      const answered = new Array<boolean>(SESSIONS).fill(true);
      let stopping = false;
      const served = { a: 0, b: 0 };
      const worker = async (i: number) => {
        while (!stopping) {
          const server = i % 2 === 0 ? a : b;
          answered[i] = false;
          const response = await refresh(server.baseUrl, 'nemlogin', tokens[i]!).catch(() => undefined);
          if (!response) return; // the instance died under this request: its answer is lost
          expect(response.status).toBe(200);
          tokens[i] = response.body.refresh_token as string;
          answered[i] = true;
          served[server === a ? 'a' : 'b'] += 1;
        }
      };
      const load = Promise.all(tokens.map((_, i) => worker(i)));
      // Progress, not time, decides when A dies and when the load stops, so a slow machine runs
      // the same scenario: both instances busy first, then B serving on after A's death.
      const until = async (condition: () => boolean) => {
        const deadline = Date.now() + 120_000;
        while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      };
      await until(() => served.a > SESSIONS && served.b > SESSIONS);
      await a.kill();
      const servedByBAtKill = served.b;
      await until(() => served.b >= servedByBAtKill + SESSIONS);
      stopping = true;
      await load;

      a = await startServiceProcess(env, aPort);
      const db = new PostgresDatabase(url);
      try {
        const repository = new SessionRepository(db);
        for (let i = 0; i < SESSIONS; i++) {
          const sid = JSON.parse(Buffer.from(tokens[i]!.split('.')[1]!, 'base64url').toString()).sid as string;
          const row = await repository.find(sid);
          expect(row?.ended_at).toBeNull();
          if (answered[i]) expect((await refresh((i % 2 === 0 ? b : a).baseUrl, 'nemlogin', tokens[i]!)).status).toBe(200);
        }
      } finally {
        await db.close();
      }
      // The load really ran on both, and B kept serving its half across A's death.
      expect(served.a).toBeGreaterThan(SESSIONS);
      expect(served.b).toBeGreaterThan(SESSIONS);
      expect(answered.filter(Boolean).length).toBeGreaterThanOrEqual(SESSIONS / 2);
    }, 300_000);
  });
