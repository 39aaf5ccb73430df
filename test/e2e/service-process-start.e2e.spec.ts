import { spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { DEMO_APP, startOwnIssuer } from '../support/built-service.js';
import { freePort } from '../support/free-port.js';
import { loginTokens } from '../support/login-flow.js';
import { builtServiceSuite } from '../support/service-process-suite.js';

// The service built once for this file, and a directory of its own for its data and config files.
const h = builtServiceSuite();

/**
 * The built service at its start (service-process.e2e.spec.ts): the embedded database's lock, held
 * or left behind, and a config it cannot use.
 */
describe('the service as a process', () => {
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

  /** Starts the built service on config `yaml` (written to `<h.dataDir>/<name>.yaml`) and waits for it to exit: it is expected to refuse. */
  const startOnConfig = (name: string, yaml: string) => {
    const file = join(h.dataDir, `${name}.yaml`);
    writeFileSync(file, yaml);
    const result = spawnSync(process.execPath, ['dist/src/main.js'], {
      env: { ...process.env, FEDERATION_CONFIG: file, DATABASE_DIR: join(h.dataDir, `${name}-db`), NODE_OPTIONS: '' },
      encoding: 'utf8',
    });
    return { file, result };
  };

  it('refuses a second process on the same embedded database, naming the directory and the holder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'process-lock-'));
    const first = await startOwnIssuer({ DATABASE_DIR: dir, DATABASE_URL: '' });
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
      const killed = await startOwnIssuer({ DATABASE_DIR: dir, DATABASE_URL: '' });
      await killed.kill();
      const next = await startOwnIssuer({ DATABASE_DIR: dir, DATABASE_URL: '' });
      expect((await loginTokens(next.baseUrl, 'nemlogin', 'nancy', 'openid', DEMO_APP)).access_token).toBeTruthy();
      await next.stop();
      expect(next.child.exitCode).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);

  it('refuses an invalid config with exit code 1, naming every offending key', () => {
    const { result } = startOnConfig('bad', 'publicUrl: nope\nkeys: { encryptionKey: short }\nrealms: [ { name: Bad } ]\n');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/publicUrl: /);
    expect(result.stderr).toMatch(/keys\.encryptionKey: must be at least 32 characters/);
    expect(result.stderr).toMatch(/realms\[0\]\.name: /);
  });

  it('refuses a signing key file it cannot use with exit code 1, naming key and file, without a stack trace', () => {
    // An Ed25519 key parses as a private key, so only the realm's loader, while starting, finds it unfit for ES256.
    const keyFile = join(h.dataDir, 'ed25519.pem');
    writeFileSync(keyFile, generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }));
    const raw = parse(readFileSync('fixtures/config/demo.yaml', 'utf8'));
    raw.realms[0].signingKeyFile = keyFile;
    const { result } = startOnConfig('bad-key', stringify(raw));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`signingKeyFile: ${keyFile} is not a PKCS#8 PEM private key for ES256`);
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
