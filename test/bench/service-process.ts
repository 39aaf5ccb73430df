import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { SERVICE_MALLOC_TUNABLES, SERVICE_NODE_FLAGS } from '../../src/node-flags.js';
import { freePort } from '../support/free-port.js';

export interface RunningService {
  baseUrl: string;
  /** The process id, to read its resident set size ({@link residentSetBytes}). */
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts the built service (`dist/src/main.js`) as its own process, so the benchmark measures it
 * over loopback HTTP exactly as deployed (with `npm start`'s node flags and malloc setting), not in the load generator's
 * event loop. `nodeArgs` go to node before the script, after those flags (e.g. `--cpu-prof`).
 */
export async function startService(env: Record<string, string> = {}, port?: number, nodeArgs: string[] = []): Promise<RunningService> {
  port ??= await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, [...SERVICE_NODE_FLAGS, ...nodeArgs, 'dist/src/main.js'], {
    env: { ...process.env, GLIBC_TUNABLES: SERVICE_MALLOC_TUNABLES, PORT: String(port), PUBLIC_URL: baseUrl, HOST: '127.0.0.1', ...env },
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
    pid: child.pid!,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A process's resident set size now (Linux: VmRSS in /proc/{pid}/status), in bytes; 0 where unknown. */
export function residentSetBytes(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Samples a process's RSS every 100 ms while `work` runs; resolves to its result and the peak seen. */
export async function withPeakRss<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; peakRssBytes: number }> {
  let peak = residentSetBytes(pid);
  const timer = setInterval(() => (peak = Math.max(peak, residentSetBytes(pid))), 100);
  try {
    const result = await work();
    return { result, peakRssBytes: Math.max(peak, residentSetBytes(pid)) };
  } finally {
    clearInterval(timer);
  }
}
