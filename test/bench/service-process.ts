import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../support/free-port.js';

export interface RunningService {
  baseUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts the built service (`dist/src/main.js`) as its own process, so the benchmark measures it
 * over loopback HTTP exactly as deployed, not in the load generator's event loop.
 */
export async function startService(env: Record<string, string> = {}, port?: number): Promise<RunningService> {
  port ??= await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, ['dist/src/main.js'], {
    env: { ...process.env, PORT: String(port), PUBLIC_URL: baseUrl, HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`service exited with code ${child.exitCode}`);
    const ready = await fetch(`${baseUrl}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) throw new Error('service did not become ready within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    baseUrl,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
