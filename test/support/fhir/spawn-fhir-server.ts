import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

export interface RunningFhirServer {
  baseUrl: string;
  /** The process serving it: this one, or a child. */
  pid: number;
  stop(): Promise<void>;
}

const HOOKS = 'test/support/fhir/ts-resolve-hooks.ts';
const SCRIPT = 'test/support/fhir/start-fhir-server.ts';

/**
 * Starts the embedded FHIR server as a child Node process on its own port (see
 * start-fhir-server.ts) and resolves with its base URL once it listens. The child shares nothing
 * with the test process but the network: no repository, no Medplum schema, no module state.
 */
export async function spawnFhirServer(seed = 'fixtures/fhir/demo.json', startTimeoutMs = 20_000): Promise<RunningFhirServer> {
  // jest's NODE_OPTIONS (--experimental-vm-modules) has no business in the child.
  const { NODE_OPTIONS: _jestOptions, ...env } = process.env;
  const child = spawn(process.execPath, ['--import', `./${HOOKS}`, SCRIPT, '--seed', seed], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = once(child, 'exit');

  const firstLine = new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', resolve);
    void exited.then(([code]) => reject(new Error(`FHIR server process exited (${String(code)}) before listening:\n${stderr}`)));
    setTimeout(
      () => reject(new Error(`FHIR server process did not start within ${startTimeoutMs} ms:\n${stderr}`)),
      startTimeoutMs,
    ).unref();
  });
  try {
    const { baseUrl, pid } = JSON.parse(await firstLine) as { baseUrl: string; pid: number };
    return {
      baseUrl,
      pid,
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          await exited;
        }
      },
    };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}
