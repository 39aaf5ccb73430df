import { parseArgs } from 'node:util';
import { startEmbeddedFhirServer } from '../../../src/fhir/embedded/embedded-fhir-server.js';

/**
 * The embedded FHIR server as its own process on its own port, so a test can prove the service
 * reaches FHIR only through the REST API (no shared memory, not even Medplum's global schema).
 * Prints one JSON line `{"baseUrl": …}` once it listens; stops on SIGTERM or SIGINT.
 *
 *   node --import ./test/support/fhir/ts-resolve-hooks.ts test/support/fhir/start-fhir-server.ts \
 *     [--seed fixtures/fhir/demo.json] [--port 0]
 */
const { values } = parseArgs({ options: { seed: { type: 'string' }, port: { type: 'string', default: '0' } } });

const server = await startEmbeddedFhirServer({ environment: 'test', seedFile: values.seed, port: Number(values.port) });
process.stdout.write(`${JSON.stringify({ baseUrl: server.baseUrl, seeded: server.seeded, pid: process.pid })}\n`);

const stop = (): void => {
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
