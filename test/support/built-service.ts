import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { SERVICE_MALLOC_TUNABLES, SERVICE_NODE_FLAGS } from '../../src/node-flags.js';
import { freePort } from './free-port.js';

/** Compiles the service to dist/ (incremental), for tests that run it as a separate process. */
export function buildService(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  execFileSync(process.execPath, ['scripts/copy-assets.mjs'], { stdio: 'inherit' });
}

export interface ServiceProcess {
  baseUrl: string;
  child: ChildProcess;
  /** SIGKILL: no shutdown hooks, no flush, in-flight requests cut. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts `dist/src/main.js` with the given environment and waits until /health/ready answers. */
export async function startServiceProcess(env: Record<string, string>, port?: number): Promise<ServiceProcess> {
  port ??= await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, 'dist/src/main.js'], {
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      GLIBC_TUNABLES: SERVICE_MALLOC_TUNABLES,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 150_000;
  while (
    !(await fetch(`${baseUrl}/health/ready`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error('service not ready within 150 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    await exited;
  };
  return { baseUrl, child, kill: () => signal('SIGKILL'), stop: () => signal('SIGTERM') };
}

/** {@link startServiceProcess} on a free port whose issuer is its own address, so a login's redirects come back to it. */
export async function startServiceOnOwnIssuer(env: Record<string, string>): Promise<ServiceProcess> {
  const port = await freePort();
  return startServiceProcess({ PUBLIC_URL: `http://127.0.0.1:${port}`, ...env }, port);
}
