import { spawn } from 'node:child_process';
import { freePort } from '../../support/free-port.js';
import type { RunningService } from '../service-process.js';

/**
 * Starts the `oidc-provider` peer (oidc-provider.peer.ts, built) in its own process, as the service
 * runs in its own: the two are driven by the same load generator, so their figures compare.
 */
export async function startOidcProviderPeer(): Promise<RunningService> {
  const port = await freePort();
  const child = spawn(process.execPath, ['dist/test/bench/peers/oidc-provider.peer.js'], {
    env: { ...process.env, PORT: String(port), NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('oidc-provider peer did not start within 30 s')), 30_000);
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
      reject(new Error(`oidc-provider peer exited with code ${code}`));
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
