import { Logger } from '@nestjs/common';
import type { Config } from '../config/config.schema.js';
import { startEmbeddedFhirServer } from './embedded/embedded-fhir-server.js';

/** Where the gateway sends its requests, and what to stop at shutdown. */
export interface FhirEndpoint {
  readonly baseUrl: string;
  readonly embedded: boolean;
  close(): Promise<void>;
}

/**
 * The configured FHIR server, or — with `fhir.baseUrl: embedded` — an embedded one started on a
 * loopback ephemeral port from `fhir.seed`. Even embedded, the gateway reaches it over HTTP only,
 * exactly as it would reach a real server.
 */
export async function openFhirEndpoint(config: Pick<Config, 'environment' | 'fhir'>): Promise<FhirEndpoint> {
  if (config.fhir.baseUrl !== 'embedded') {
    return { baseUrl: config.fhir.baseUrl, embedded: false, close: async () => {} };
  }
  // The config schema refuses this too; the server is refused here as well should that ever slip.
  const server = await startEmbeddedFhirServer({ environment: config.environment, seedFile: config.fhir.seed });
  new Logger('Fhir').log(`embedded FHIR server at ${server.baseUrl} (${server.seeded} seed entries)`);
  return { baseUrl: server.baseUrl, embedded: true, close: () => server.close() };
}
