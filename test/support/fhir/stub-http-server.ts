import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubServer {
  baseUrl: string;
  /** Headers of every request received, in order. */
  requests: IncomingHttpHeaders[];
  /** Path and query of every request received, in the same order. */
  urls: string[];
  close(): Promise<void>;
}

/**
 * A tiny HTTP server standing in for a FHIR server that misbehaves: answers late, answers 503, or
 * just records what it was sent. `respond` decides each answer.
 */
export async function startStubServer(respond: (response: ServerResponse, index: number) => void): Promise<StubServer> {
  const requests: IncomingHttpHeaders[] = [];
  const urls: string[] = [];
  const server = createServer((request, response) => {
    requests.push(request.headers);
    urls.push(request.url ?? '');
    request.resume();
    respond(response, requests.length - 1);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/fhir`,
    requests,
    urls,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/fhir+json' });
  response.end(JSON.stringify(body));
}

export const EMPTY_SEARCHSET = { resourceType: 'Bundle', type: 'searchset', total: 0 };

/** A searchset Bundle (R4 http.html#search): `matches` with search mode `match`, then `included` with `include`. */
export function searchset(matches: object[], included: object[] = []) {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    entry: [
      ...matches.map((resource) => ({ resource, search: { mode: 'match' } })),
      ...included.map((resource) => ({ resource, search: { mode: 'include' } })),
    ],
  };
}
