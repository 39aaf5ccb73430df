import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionRepository } from '../../src/storage/session.repository.js';
import { PostgresDatabase } from '../../src/storage/pg.database.js';
import { buildService, startServiceProcess, type ServiceProcess } from '../support/built-service.js';
import { freePort } from '../support/free-port.js';
import { postgresEngine, testDatabaseUrl, type Scratch } from '../support/database-engines.js';
import { loginTokens, refresh } from '../support/login-flow.js';

const DEMO_APP = { clientId: 'patient-app', redirectUri: 'http://localhost:3000/callback' };
const SESSIONS = 20;

/**
 * Two service processes on one PostgreSQL: one is killed with SIGKILL in the middle of a refresh
 * load and started again. Every session survives in the database, and every session whose latest
 * refresh answer reached the client goes on refreshing, on either instance. (A client whose answer
 * was cut off holds a rotated token: presenting it again is reuse, which ends that session by design.)
 */
const engines = testDatabaseUrl ? [postgresEngine(testDatabaseUrl)] : [];

// One suite builds dist/ once; the process tests below all run the built service.
beforeAll(() => buildService(), 120_000);

describe('the service as a process', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'process-pglite-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const kidOf = async (service: ServiceProcess) =>
    ((await (await fetch(`${service.baseUrl}/realms/nemlogin/protocol/openid-connect/certs`)).json()) as { keys: { kid: string }[] })
      .keys[0]!.kid;

  it('stops on SIGTERM with exit code 0, and a restart on the same embedded database keeps its keys', async () => {
    const first = await startServiceProcess({ DATABASE_DIR: dataDir, DATABASE_URL: '' });
    const kid = await kidOf(first);
    await first.stop();
    expect(first.child.exitCode).toBe(0);
    const second = await startServiceProcess({ DATABASE_DIR: dataDir, DATABASE_URL: '' });
    expect(await kidOf(second)).toBe(kid);
    await second.stop();
  }, 60_000);

  it('refuses an invalid config with exit code 1, naming every offending key', () => {
    const file = join(dataDir, 'bad.yaml');
    writeFileSync(file, 'publicUrl: nope\nkeys: { encryptionKey: short }\nrealms: [ { name: Bad } ]\n');
    const result = spawnSync(process.execPath, ['dist/src/main.js'], {
      env: { ...process.env, FEDERATION_CONFIG: file, NODE_OPTIONS: '' },
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/publicUrl: /);
    expect(result.stderr).toMatch(/keys\.encryptionKey: must be at least 32 characters/);
    expect(result.stderr).toMatch(/realms\[0\]\.name: /);
  });
});

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
    }, 120_000);
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
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await a.kill();
      await new Promise((resolve) => setTimeout(resolve, 500));
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
    }, 120_000);
  });
