import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { cookiesFrom } from '../support/browser-cookies.js';
import { buildService, startServiceOnOwnIssuer, startServiceProcess } from '../support/built-service.js';
import { startStubServer, type StubServer } from '../support/fhir/stub-http-server.js';

const DEMO_APP = { clientId: 'patient-app', redirectUri: 'http://localhost:3000/callback' };

// One suite builds dist/ once; the process tests below run the built service.
beforeAll(() => buildService(), 300_000);

/** The built service's shutdown on a signal (README, Operations): idle connections, a deadline, a repeated signal. */
describe('the service as a process, shutting down', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'process-shutdown-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('on SIGTERM closes idle keep-alive connections at once and exits 0', async () => {
    const service = await startServiceProcess({ DATABASE_DIR: dataDir, DATABASE_URL: '' });
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

  // npm runs a script by `sh -c`, and passes a signal it gets to that shell: unless the shell has become
  // the service (`exec`), a supervisor's SIGTERM to `npm start` ends npm and the shell and leaves the
  // service running, orphaned, with its database open.
  it('npm start’s command hands the service a SIGTERM sent to its shell: the service stops and exits 0', async () => {
    const { scripts } = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    const run = scripts.start!.slice(scripts.start!.lastIndexOf('&& ') + 3);
    const service = await startServiceProcess({ DATABASE_DIR: join(dataDir, 'npm-start'), DATABASE_URL: '' }, undefined, {
      // A command after it, so no shell may skip the fork on its own (dash and bash run a lone last command in place).
      command: 'sh',
      args: ['-c', `${run}\nexit $?`],
    });
    try {
      await service.stop();
      expect(service.child.exitCode).toBe(0);
      const answer = await fetch(`${service.baseUrl}/health/live`).then(
        () => 'still answering',
        () => 'stopped',
      );
      expect(answer).toBe('stopped');
    } finally {
      service.killGroup(); // a service its shell left running: the test leaves none behind
    }
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
      configFile = join(dataDir, 'hanging-fhir.yaml');
      writeFileSync(configFile, stringify(config));
    });
    afterAll(() => fhir.close());

    /** A service with a mock login in flight, hanging on its FHIR search. */
    const startWithLoginInFlight = async (name: string) => {
      const service = await startServiceOnOwnIssuer({
        FEDERATION_CONFIG: configFile,
        DATABASE_DIR: join(dataDir, name),
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
      const searches = fhir.urls.filter((url) => url.includes('/Patient')).length;
      // The login's FHIR search hangs: the request stays in flight. (Readiness probes reach the stub
      // too, so wait for the Patient search itself, not for any request.)
      const inFlight = fetch(`${service.baseUrl}/realms/nemlogin/broker/mock/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        body: new URLSearchParams({ tx, username: 'nancy' }).toString(),
      }).catch(() => undefined);
      while (fhir.urls.filter((url) => url.includes('/Patient')).length === searches)
        await new Promise((resolve) => setTimeout(resolve, 50));
      return { service, inFlight };
    };

    it('exits once the shutdown deadline has passed, with exit code 1', async () => {
      const { service, inFlight } = await startWithLoginInFlight('deadline');
      const stopping = Date.now();
      await service.stop();
      expect(Date.now() - stopping).toBeLessThan(5000);
      expect(service.child.exitCode).toBe(1);
      await inFlight;
    }, 180_000);

    // A supervisor may repeat its signal, and npm passes on each one it gets (npm start): the shutdown
    // under way goes on, where the default action of a signal nobody listens for would end the process.
    it('goes on shutting down through a repeated SIGTERM or a SIGINT after it', async () => {
      const { service, inFlight } = await startWithLoginInFlight('repeated-signal');
      const exited = new Promise((resolve) => service.child.once('exit', (code, signal) => resolve([code, signal])));
      for (const signal of ['SIGTERM', 'SIGTERM', 'SIGINT'] as const) {
        service.child.kill(signal);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(await exited).toEqual([1, null]);
      await inFlight;
    }, 180_000);
  });
});
