import { spawn } from 'node:child_process';
import { freePort } from '../../support/free-port.js';
import type { RunningService } from '../service-process.js';

/** The peers' entry points, built (tsconfig.build.json). */
const PEER_FILES = {
  'oidc-provider': 'dist/test/bench/peers/oidc-provider.peer.js',
  'bare route': 'dist/test/bench/peers/bare-route.peer.js',
} as const;

/**
 * Starts a peer of `npm run bench` — `oidc-provider` (oidc-provider.peer.ts) or the bare Fastify
 * route (bare-route.peer.ts) — in its own process, as the service runs in its own: all are driven by
 * the same load generator, so their figures compare.
 */
export async function startPeer(peer: keyof typeof PEER_FILES): Promise<RunningService> {
  const port = await freePort();
  const child = spawn(process.execPath, [PEER_FILES[peer]], {
    env: { ...process.env, PORT: String(port), NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${peer} peer did not start within 30 s`)), 30_000);
    let seen = '';
    child.stdout.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${peer} peer exited with code ${code}`));
    });
  });
  child.stdout.resume();
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
