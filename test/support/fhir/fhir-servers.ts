import { startEmbeddedFhirServer } from '../../../src/fhir/embedded/embedded-fhir-server.js';
import { spawnFhirServer, type RunningFhirServer } from './spawn-fhir-server.js';

export type { RunningFhirServer };

/**
 * The two ways the linking suites meet a FHIR server: the embedded one started in the test process
 * (as `FhirModule` does), and the same server in a separate process on its own port. Either way the
 * gateway gets only a URL; passing against the second proves only the REST API is used.
 */
export const IN_PROCESS = 'embedded in the test process';
export const SEPARATE_PROCESS = 'separate process on its own port';

export const FHIR_SERVER_SETUPS: [string, (seed?: string) => Promise<RunningFhirServer>][] = [
  [
    IN_PROCESS,
    async (seed = 'fixtures/fhir/demo.json') => {
      const server = await startEmbeddedFhirServer({ environment: 'test', seedFile: seed });
      return { baseUrl: server.baseUrl, pid: process.pid, stop: () => server.close() };
    },
  ],
  [SEPARATE_PROCESS, (seed) => spawnFhirServer(seed)],
];
