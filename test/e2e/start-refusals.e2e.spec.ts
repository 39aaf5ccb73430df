import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCK_FILE } from '../../src/storage/data-directory-lock.js';
import { buildService } from '../support/built-service.js';
import { freePort } from '../support/free-port.js';
import { testDatabaseUrl } from '../support/database-engines.js';

// One suite builds dist/ once; each test starts the built service on the demo config and an in-memory database.
beforeAll(() => buildService(), 300_000);

/** Runs the built service with `env` until it exits (it is expected to refuse). */
function runToExit(env: Record<string, string>): Promise<{ status: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    env: { ...process.env, NODE_OPTIONS: '', DATABASE_DIR: 'memory://', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.once('exit', (status) => resolve({ status, stderr })));
}

describe('a start that cannot listen', () => {
  let occupied: Server;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    occupied = createServer();
    await new Promise<void>((resolve) => occupied.listen(port, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => occupied.close(() => resolve())));

  it('names the port key, its variable and the address in use, with exit code 1 and no stack trace', async () => {
    const { status, stderr } = await runToExit({ HOST: '127.0.0.1', PORT: String(port) });
    expect(status).toBe(1);
    expect(stderr).toBe(
      `federation service failed to start: port (PORT): cannot listen on 127.0.0.1:${port}: the address is in use by another process\n`,
    );
  }, 60_000);

  it('names managementPort when the management port is the one in use', async () => {
    const { status, stderr } = await runToExit({ HOST: '127.0.0.1', PORT: String(await freePort()), MANAGEMENT_PORT: String(port) });
    expect(status).toBe(1);
    expect(stderr).toBe(
      `federation service failed to start: managementPort (MANAGEMENT_PORT): cannot listen on 127.0.0.1:${port}: the address is in use by another process\n`,
    );
  }, 60_000);

  it('names HOST when it is no address this machine can listen on', async () => {
    const { status, stderr } = await runToExit({ HOST: '0.0.0.0.0', PORT: String(await freePort()) });
    expect(status).toBe(1);
    expect(stderr).toBe(
      'federation service failed to start: HOST: cannot listen on 0.0.0.0.0: not an IP address of this machine or a name that resolves to one\n',
    );
  }, 60_000);
});

describe('a start whose PostgreSQL does not answer', () => {
  it('names database.url, its variable, the server and the cause, never the password, with exit code 1 and no stack trace', async () => {
    const port = await freePort(); // nothing listens there
    const { status, stderr } = await runToExit({
      HOST: '127.0.0.1',
      PORT: String(await freePort()),
      DATABASE_URL: `postgres://fed:S3cretPW@127.0.0.1:${port}/fed`,
    });
    expect(status).toBe(1);
    expect(stderr).toBe(
      `federation service failed to start: database.url (DATABASE_URL): the database at 127.0.0.1:${port} is unavailable (ECONNREFUSED)\n`,
    );
  }, 60_000);
});

describe('a start whose PostgreSQL connection cannot be made as the URL asks', () => {
  // Answers the SSLRequest a URL asking for TLS opens with "N", as a PostgreSQL without TLS does.
  let withoutTls: Server;
  let port: number;
  beforeAll(async () => {
    withoutTls = createServer((socket) => socket.once('data', () => socket.write('N')).on('error', () => undefined));
    port = await new Promise<number>((resolve) =>
      withoutTls.listen(0, '127.0.0.1', () => resolve((withoutTls.address() as AddressInfo).port)),
    );
  });
  afterAll(() => new Promise<void>((resolve) => withoutTls.close(() => resolve())));
  const noTls = () =>
    `database.url (DATABASE_URL): no connection to the database at 127.0.0.1:${port}: ` +
    "TLS: the server does not support SSL connections (the URL's sslmode or ssl asks for TLS)";

  it('names database.url, its variable, the server and TLS, never the password, with exit code 1 and no stack trace', async () => {
    const { status, stderr } = await runToExit({
      HOST: '127.0.0.1',
      PORT: String(await freePort()),
      DATABASE_URL: `postgres://fed:S3cretPW@127.0.0.1:${port}/fed?sslmode=verify-full`,
    });
    expect(status).toBe(1);
    expect(stderr).toBe(`federation service failed to start: ${noTls()}\n`);
  }, 60_000);

  it('says the same for sslmode=require, after the warning pg gives of that mode', async () => {
    const { status, stderr } = await runToExit({
      HOST: '127.0.0.1',
      PORT: String(await freePort()),
      DATABASE_URL: `postgres://fed:S3cretPW@127.0.0.1:${port}/fed?sslmode=require`,
    });
    expect(status).toBe(1);
    expect(stderr.split('\n').slice(-2)).toEqual([`federation service failed to start: ${noTls()}`, '']);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stderr).not.toContain('S3cretPW');
  }, 60_000);

  // PostgreSQL refusing a startup parameter the URL sets: the URL is the operator's to mend.
  (testDatabaseUrl ? it : it.skip)(
    'names database.url, the SQLSTATE and what PostgreSQL said, never the password',
    async () => {
      for (const [parameter, value, said] of [
        ['options', '-c foo=bar', 'unrecognized configuration parameter "foo" (42704)'],
        ['statement_timeout', 'abc', 'invalid value for parameter "statement_timeout": "NaN" (22023)'],
      ] as const) {
        const url = new URL(testDatabaseUrl!);
        url.password = 'S3cretPW';
        url.searchParams.set(parameter, value);
        const { status, stderr } = await runToExit({ HOST: '127.0.0.1', PORT: String(await freePort()), DATABASE_URL: url.href });
        expect(status).toBe(1);
        expect(stderr).toBe(
          `federation service failed to start: database.url (DATABASE_URL): the database at ${url.host} answered an error at start: ${said}\n`,
        );
      }
    },
    60_000,
  );
});

describe('a start whose database or seed the config names cannot be used', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'start-refusals-'));
  const demo = 'fixtures/config/demo.yaml';

  it('names database.dataDir and the cause when a file stands where its directory would be, with exit code 1 and no stack trace', async () => {
    const file = join(scratch, 'a-file');
    writeFileSync(file, 'not a directory');
    for (const [dataDir, code] of [
      [file, 'EEXIST'],
      [join(file, 'below'), 'ENOTDIR'],
    ] as const) {
      const { status, stderr } = await runToExit({ HOST: '127.0.0.1', PORT: String(await freePort()), DATABASE_DIR: dataDir });
      expect(status).toBe(1);
      expect(stderr).toBe(
        `invalid configuration in ${demo}:\n  - database.dataDir (DATABASE_DIR): cannot create the directory ${dataDir} (${code})\n`,
      );
    }
  }, 60_000);

  it('names database.dataDir and the pid holding it when another process has it, with exit code 1 and no stack trace', async () => {
    const dataDir = join(scratch, 'held');
    mkdirSync(dataDir);
    // The lock as a running service leaves it: this test's own process is the live holder.
    writeFileSync(join(dataDir, LOCK_FILE), `${process.pid}\n`);
    const { status, stderr } = await runToExit({ HOST: '127.0.0.1', PORT: String(await freePort()), DATABASE_DIR: dataDir });
    expect(status).toBe(1);
    expect(stderr).toBe(
      `federation service failed to start: database.dataDir ${dataDir} is in use by another process (pid ${process.pid}): an embedded ` +
        'database can be opened by one process at a time. Stop that process first (keys:rotate and keys:withdraw included), or use ' +
        'PostgreSQL (database.url) for several instances.\n',
    );
  }, 60_000);

  it('names fhir.seed and the file when it is missing or not JSON, with no stack trace', async () => {
    const notJson = join(scratch, 'seed.json');
    writeFileSync(notJson, '{ not json');
    for (const [seed, reason] of [
      [join(scratch, 'missing.json'), 'cannot read {seed}: not found'],
      [notJson, '{seed} is not valid JSON (malformed)'],
    ] as const) {
      const config = join(scratch, `seeded-${reason.length}.yaml`);
      writeFileSync(config, readFileSync(demo, 'utf8').replace('seed: fixtures/fhir/demo.json', `seed: ${seed}`));
      const { status, stderr } = await runToExit({ HOST: '127.0.0.1', PORT: String(await freePort()), FEDERATION_CONFIG: config });
      expect(status).toBe(1);
      expect(stderr).toBe(`invalid configuration in ${config}:\n  - fhir.seed: ${reason.replace('{seed}', seed)}\n`);
    }
  }, 60_000);

  // PostgreSQL answering, but not for the database or role the URL names: the URL is the operator's to mend.
  (testDatabaseUrl ? it : it.skip)(
    'names database.url and what PostgreSQL refused, never the password',
    async () => {
      const url = new URL(testDatabaseUrl!);
      url.pathname = '/no_such_database_for_start_refusals';
      url.password = 'S3cretPW';
      const { status, stderr } = await runToExit({ HOST: '127.0.0.1', PORT: String(await freePort()), DATABASE_URL: url.href });
      expect(status).toBe(1);
      expect(stderr).toBe(
        `federation service failed to start: database.url (DATABASE_URL): the database at ${url.host} refused the connection: database "no_such_database_for_start_refusals" does not exist (3D000)\n`,
      );
    },
    60_000,
  );
});
