import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FhirHttpAdapter, type FhirBase } from './fhir-http-adapter.js';
import { loadFhirSchema } from './medplum-schema.js';
import { applySeed, readSeedFile } from './seed.js';

export interface EmbeddedFhirServerOptions {
  /** The configured environment: production refuses the embedded server (DESIGN.md §3). */
  environment: 'development' | 'test' | 'production';
  /** A FHIR Bundle file (transaction, batch or collection) loaded before the server answers. */
  seedFile?: string;
  /** Loopback by default: the embedded server is for this machine only. */
  host?: string;
  /** 0 (default) picks an ephemeral port. */
  port?: number;
  /** Path of the FHIR base under the origin; `/fhir` by default. */
  basePath?: string;
  /**
   * Several bases over the one store instead (one per realm), each with the absolute URL it is known
   * by; `basePath` is then unused.
   */
  bases?: FhirBase[];
}

export interface EmbeddedFhirServer {
  /** The FHIR base URL, e.g. `http://127.0.0.1:40123/fhir`, without a trailing slash. */
  readonly baseUrl: string;
  /** This server's own address, e.g. `http://127.0.0.1:40123`: where a base's requests can be sent. */
  readonly origin: string;
  /** Answers a request as this server does, for a host that serves the same store on its own port. */
  handle(request: IncomingMessage, response: ServerResponse): Promise<void>;
  /** How many seed entries were stored. */
  readonly seeded: number;
  close(): Promise<void>;
}

/**
 * Starts a FHIR R4 REST server on Medplum's fhir-router and in-memory repository: real search,
 * conditional create, versioned reads and If-Match updates, for the demo run and the tests. It
 * keeps nothing on disk; every start begins from the seed. It is refused in production, where the
 * service talks to a real FHIR server.
 */
export async function startEmbeddedFhirServer(options: EmbeddedFhirServerOptions): Promise<EmbeddedFhirServer> {
  if (options.environment === 'production') {
    throw new Error('fhir.baseUrl: the embedded FHIR server is refused in production; configure a FHIR server URL');
  }
  loadFhirSchema();
  const router = new FhirRouter();
  const repo = new MemoryRepository();
  const seeded = options.seedFile ? await applySeed(router, repo, await readSeedFile(options.seedFile), options.seedFile) : 0;

  const basePath = `/${(options.basePath ?? '/fhir').replace(/^\/+|\/+$/g, '')}`.replace(/^\/$/, '');
  const adapter = new FhirHttpAdapter(router, repo, options.bases ?? [{ path: basePath, url: '' }]);
  const server = createServer({ keepAliveTimeout: 5_000 }, (request, response) => {
    void adapter.handle(request, response);
  });
  const host = options.host ?? '127.0.0.1';
  await listen(server, host, options.port ?? 0);
  const { port } = server.address() as AddressInfo;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const baseUrl = options.bases?.[0]?.url ?? `${origin}${basePath}`;
  adapter.setBaseUrl(baseUrl);
  return { baseUrl, origin, seeded, handle: (request, response) => adapter.handle(request, response), close: () => close(server) };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Stops accepting, and drops kept-alive client connections so shutdown does not wait on them. */
function close(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
