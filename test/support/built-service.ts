import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { dirname } from 'node:path';
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
  /** SIGKILL to every process a {@link Launch} started (its own process group), whether or not it still has a parent. */
  killGroup(): void;
  stop(): Promise<void>;
}

/** How the service is launched: node with the service's flags, unless a test launches it otherwise (as npm start does). */
export interface Launch {
  command: string;
  args: string[];
}

/** Starts `dist/src/main.js` with the given environment and waits until /health/ready answers. */
export async function startServiceProcess(env: Record<string, string>, port?: number, launch?: Launch): Promise<ServiceProcess> {
  port ??= await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const { command, args } = launch ?? { command: process.execPath, args: [...SERVICE_NODE_FLAGS, 'dist/src/main.js'] };
  const child = spawn(command, args, {
    detached: launch !== undefined,
    env: {
      ...process.env,
      // The node running these tests first: a command run by a shell finds it as npm's scripts do.
      PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
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
  const killGroup = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // The group is gone already.
    }
  };
  return { baseUrl, child, kill: () => signal('SIGKILL'), stop: () => signal('SIGTERM'), killGroup };
}

/** {@link startServiceProcess} on a free port whose issuer is its own address, so a login's redirects come back to it. */
export async function startServiceOnOwnIssuer(env: Record<string, string>): Promise<ServiceProcess> {
  const port = await freePort();
  return startServiceProcess({ PUBLIC_URL: `http://127.0.0.1:${port}`, ...env }, port);
}
