import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICE_MALLOC_TUNABLES, SERVICE_NODE_FLAGS } from '../../src/node-flags.js';
import { DataDirectoryLock } from '../../src/storage/data-directory-lock.js';
import { freePort } from './free-port.js';

/** What dist/ is built from: the directories and files of tsconfig.build.json, the asset script, the dependencies. */
const BUILD_INPUTS = [
  'src',
  'test/support',
  'test/bench',
  'scripts',
  'tsconfig.json',
  'tsconfig.build.json',
  'package.json',
  'package-lock.json',
];
/** Its mtime is when the last build that ran to its end began. */
const BUILT = 'dist/.built';

/**
 * Compiles the service to dist/ (incremental), for tests that run it as a separate process.
 *
 * Spec files in parallel jest workers each call it, and a build rewrites files (tsc what changed,
 * the asset script every asset) that a service another file started may be reading. So one process
 * builds at a time, and a process skips the build when another one began after this process started
 * and after every build input last changed: dist/ is built once for a run.
 */
export function buildService(): void {
  mkdirSync('dist', { recursive: true });
  holdingBuildLock(() => {
    const processStart = Date.now() - process.uptime() * 1000;
    const lastBuild = statSync(BUILT, { throwIfNoEntry: false })?.mtimeMs ?? 0;
    if (lastBuild > processStart && lastBuild > newestChange(BUILD_INPUTS)) return;
    const began = new Date();
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
    execFileSync(process.execPath, ['scripts/copy-assets.mjs'], { stdio: 'inherit' });
    writeFileSync(BUILT, '');
    utimesSync(BUILT, began, began);
  });
}

/** Runs `build` holding the lock of dist/ (the one the service takes on its data directory), waiting while another process holds it. */
function holdingBuildLock(build: () => void): void {
  let lock: DataDirectoryLock;
  for (;;) {
    try {
      lock = DataDirectoryLock.acquire('dist');
      break;
    } catch (error) {
      if (!/is in use by another process|keeps taking it/.test((error as Error).message)) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    build();
  } finally {
    lock.release();
  }
}

/** The latest mtime among `paths` and, for a directory, everything below it (a directory's own changes when an entry goes). */
function newestChange(paths: string[]): number {
  let newest = 0;
  for (const path of paths) {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) continue;
    newest = Math.max(newest, stat.mtimeMs);
    if (stat.isDirectory()) newest = Math.max(newest, newestChange(readdirSync(path).map((entry) => join(path, entry))));
  }
  return newest;
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

/** The demo config's public client, as the process tests log in with it. */
export const DEMO_APP = { clientId: 'patient-app', redirectUri: 'http://localhost:3000/callback' };

/** A service whose issuer is its own address, so the login's redirects come back to it. */
export async function startOwnIssuer(env: Record<string, string>): Promise<ServiceProcess> {
  const port = await freePort();
  return startServiceProcess({ PUBLIC_URL: `http://127.0.0.1:${port}`, ...env }, port);
}
