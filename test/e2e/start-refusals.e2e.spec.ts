import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { buildService } from '../support/built-service.js';
import { freePort } from '../support/free-port.js';

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
