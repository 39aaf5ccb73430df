import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { buildService } from '../support/built-service.js';
import { freePort } from '../support/free-port.js';

beforeAll(() => buildService(), 300_000);

/**
 * Runs the built service on `config` without npm start's node flags, whose warning is the start's last
 * line, and stops it there: whether it answered then, and the log lines before it, parsed.
 */
async function startLog(config: object): Promise<{ live: boolean; log: Record<string, unknown>[] }> {
  const port = await freePort();
  const file = join(mkdtempSync(join(tmpdir(), 'production-start-')), 'config.yaml');
  writeFileSync(file, stringify(config));
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      FEDERATION_CONFIG: file,
      DATABASE_DIR: 'memory://',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.includes('started without the node flags')) resolve();
    });
    child.once('exit', (status) => reject(new Error(`the service exited (${status}): ${stdout}`)));
  });
  const live = (await fetch(`http://127.0.0.1:${port}/health/live`)).ok;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  const log = stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { live, log };
}

describe('a production start on choices it allows but warns of', () => {
  it('logs one warning a key, naming it, and serves', async () => {
    const { live, log } = await startLog({
      environment: 'production',
      publicUrl: 'https://auth.example',
      keys: { encryptionKey: 'production-grade-key-encryption-key-0123456789' },
      database: { url: '' },
      fhir: { baseUrl: `http://127.0.0.1:${await freePort()}/fhir` },
      realms: [{ name: 'nemlogin' }],
    });
    expect(live).toBe(true);
    const warnings = log.filter((line) => String(line.msg).startsWith('production config: '));
    expect(warnings.map((line) => [line.level, line.key])).toEqual([
      [40, 'database.url'],
      [40, 'fhir.baseUrl'],
    ]);
    expect(warnings[1]?.msg).toBe(
      'production config: fhir.baseUrl: plain http: patient and practitioner records, and the bearer token if one is configured, cross the network in the clear',
    );
  }, 120_000);
});
