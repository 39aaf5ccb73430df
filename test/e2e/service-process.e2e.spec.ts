import { spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { SessionRepository } from '../../src/storage/session.repository.js';
import { PostgresDatabase } from '../../src/storage/pg.database.js';
import { buildService, startServiceOnOwnIssuer, startServiceProcess, type ServiceProcess } from '../support/built-service.js';
import { freePort } from '../support/free-port.js';
import { postgresEngines, type Scratch } from '../support/database-engines.js';
import { loginTokens, refresh } from '../support/login-flow.js';

const DEMO_APP = { clientId: 'patient-app', redirectUri: 'http://localhost:3000/callback' };
const SESSIONS = 20;

// One suite builds dist/ once; the process tests below all run the built service.
beforeAll(() => buildService(), 300_000);

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
  }, 180_000);

  /** Runs a built entry point to its end (it is expected to refuse to start), with its stderr. */
  const runToExit = (script: string, env: Record<string, string>, args: string[] = []) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [script, ...args], {
        env: { ...process.env, NODE_OPTIONS: '', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      child.once('exit', (code) => resolve({ code, stderr }));
    });

  /** Starts the built service on config `yaml` (written to `<dataDir>/<name>.yaml`) and waits for it to exit: it is expected to refuse. */
  const startOnConfig = (name: string, yaml: string) => {
    const file = join(dataDir, `${name}.yaml`);
    writeFileSync(file, yaml);
    const result = spawnSync(process.execPath, ['dist/src/main.js'], {
      env: { ...process.env, FEDERATION_CONFIG: file, DATABASE_DIR: join(dataDir, `${name}-db`), NODE_OPTIONS: '' },
      encoding: 'utf8',
    });
    return { file, result };
  };

  it('refuses a second process on the same embedded database, naming the directory and the holder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'process-lock-'));
    const first = await startServiceOnOwnIssuer({ DATABASE_DIR: dir, DATABASE_URL: '' });
    try {
      const env = { DATABASE_DIR: dir, DATABASE_URL: '', PORT: String(await freePort()) };
      const second = await runToExit('dist/src/main.js', env);
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(dir);
      expect(second.stderr).toContain(`pid ${first.child.pid}`);

      const rotation = await runToExit('dist/src/cli/keys-rotate.js', env, ['nemlogin']);
      expect(rotation.code).not.toBe(0);
      expect(rotation.stderr).toContain(`pid ${first.child.pid}`);

      // The first one never noticed: it still logs people in.
      expect((await loginTokens(first.baseUrl, 'nemlogin', 'nancy', 'openid', DEMO_APP)).access_token).toBeTruthy();
    } finally {
      await first.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);

  it('takes over the lock a killed process left behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'process-lock-'));
    try {
      const killed = await startServiceOnOwnIssuer({ DATABASE_DIR: dir, DATABASE_URL: '' });
      await killed.kill();
      const next = await startServiceOnOwnIssuer({ DATABASE_DIR: dir, DATABASE_URL: '' });
      expect((await loginTokens(next.baseUrl, 'nemlogin', 'nancy', 'openid', DEMO_APP)).access_token).toBeTruthy();
      await next.stop();
      expect(next.child.exitCode).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);

  it('answers --help of each command with its usage and exit code 0, opening nothing', () => {
    for (const [command, usage] of [
      ['config-check', 'usage: npm run config:check -- [FILE]'],
      ['keys-rotate', 'usage: npm run keys:rotate -- REALM [ALGORITHM]'],
      ['keys-withdraw', 'usage: npm run keys:withdraw -- REALM KID'],
    ]) {
      // A config that does not exist: reading it would fail.
      const result = spawnSync(process.execPath, [`dist/src/cli/${command}.js`, '--help'], {
        encoding: 'utf8',
        env: { ...process.env, FEDERATION_CONFIG: join(dataDir, 'no-such-config.yaml') },
      });
      expect([command, result.status, result.stdout]).toEqual([command, 0, expect.stringContaining(usage)]);
    }
  });

  it('refuses an argument more than a command reads with its usage and exit code 1, opening nothing', () => {
    for (const [command, args, usage] of [
      ['config-check', ['fixtures/config/demo.yaml', 'other.yaml'], 'usage: npm run config:check -- [FILE]'],
      // `ES256 RS256`: rotating the key of the first read would be a change no second call undoes.
      ['keys-rotate', ['nemlogin', 'ES256', 'RS256'], 'usage: npm run keys:rotate -- REALM [ALGORITHM]'],
      ['keys-withdraw', ['nemlogin', 'kid-1', 'kid-2'], 'usage: npm run keys:withdraw -- REALM KID'],
    ] as const) {
      const result = spawnSync(process.execPath, [`dist/src/cli/${command}.js`, ...args], {
        encoding: 'utf8',
        env: { ...process.env, FEDERATION_CONFIG: join(dataDir, 'no-such-config.yaml') },
      });
      expect([command, result.status, result.stdout, result.stderr]).toEqual([command, 1, '', expect.stringContaining(usage)]);
    }
  });

  it('refuses an invalid config with exit code 1, naming every offending key', () => {
    const { result } = startOnConfig('bad', 'publicUrl: nope\nkeys: { encryptionKey: short }\nrealms: [ { name: Bad } ]\n');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/publicUrl: /);
    expect(result.stderr).toMatch(/keys\.encryptionKey: must be at least 32 characters/);
    expect(result.stderr).toMatch(/realms\[0\]\.name: /);
  });

  it('refuses a signing key file it cannot use with exit code 1, naming key and file, without a stack trace', () => {
    // An Ed25519 key parses as a private key; the config's loader finds it unfit for the realm's ES256.
    const keyFile = join(dataDir, 'ed25519.pem');
    writeFileSync(keyFile, generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }));
    const raw = parse(readFileSync('fixtures/config/demo.yaml', 'utf8'));
    raw.realms[0].signingKeyFile = keyFile;
    const { result } = startOnConfig('bad-key', stringify(raw));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`realms[0].signingKeyFile: ${keyFile} is not a key for ES256 (RFC 7518 §3.4: EC on P-256)`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it.each([
    {
      what: 'a SAML key it cannot use',
      // Readable, so the config loader passes it; only the SAML settings, while starting, find no private key in it.
      serviceProvider: { signingKey: 'fixtures/saml/sp-signing.crt', signingCertificate: 'fixtures/saml/sp-signing.crt' },
      idp: { entityId: 'urn:idp', ssoUrl: 'https://idp.example/sso', signingCertificates: ['fixtures/saml/idp-signing.crt'] },
      problem: 'realms.nemlogin.serviceProvider.signingKey: expected exactly one PEM private key',
    },
    {
      what: 'an IdP metadata file that is not metadata',
      serviceProvider: { signingKey: 'fixtures/saml/sp-signing.TEST-ONLY.key', signingCertificate: 'fixtures/saml/sp-signing.crt' },
      // Readable too; read and refused while the modules start, as the service starts listening.
      idp: { metadataFile: 'fixtures/saml/README.md' },
      problem: 'realms.nemlogin.identityProviders.nemlog-in.metadataFile: metadata is not well-formed XML',
    },
  ])('refuses $what with exit code 1, naming the config file and the key, without a stack trace', ({ serviceProvider, idp, problem }) => {
    const raw = parse(readFileSync('fixtures/config/demo.yaml', 'utf8'));
    const nemlogin = raw.realms.findIndex((realm: { name: string }) => realm.name === 'nemlogin');
    raw.realms[nemlogin].serviceProvider = serviceProvider;
    raw.realms[nemlogin].identityProviders = [{ alias: 'nemlog-in', profile: 'oiosaml3-citizen', ...idp }];
    const { file, result } = startOnConfig('bad-saml', stringify(raw));
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`invalid configuration in ${file}:\n  - ${problem}\n`);
    // Printed once, by the entry point: not also as Nest's report of a provider that failed.
    expect(result.stdout).not.toMatch(/"level":50,[^\n]*"context":"ExceptionHandler"/);
  });
});

/**
 * Two service processes on one PostgreSQL: one is killed with SIGKILL in the middle of a refresh
 * load and started again. Every session survives in the database, and every session whose latest
 * refresh answer reached the client goes on refreshing, on either instance. (A client whose answer
 * was cut off holds a rotated token: presenting it again is reuse, which ends that session by design.)
 */
for (const engine of postgresEngines)
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
