import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendJson } from './stub-http-server.js';

/** Headers of the connection, not of the request: the proxy's own fetch sets them. */
const HOP_BY_HOP = ['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive'];

/** What the proxy lets through: everything, everything but AuditEvent writes, or nothing (an outage). */
export type ProxyMode = 'up' | 'audit-down' | 'down';

export interface SwitchableFhirProxy {
  /** The proxy's FHIR base: the same path as the target's, on the proxy's port. */
  baseUrl: string;
  mode: ProxyMode;
  close(): Promise<void>;
}

/**
 * A FHIR server that can fail on demand: forwards every request to `target` (a real FHIR server,
 * e.g. the embedded one) unless its mode says otherwise, then answers 503 as an unavailable server does.
 */
export async function startSwitchableFhirProxy(target: string): Promise<SwitchableFhirProxy> {
  const targetUrl = new URL(target);
  const proxy: SwitchableFhirProxy = { baseUrl: '', mode: 'up', close: async () => {} };
  const server = createServer((request, response) => {
    void (async () => {
      const body = await read(request);
      const auditWrite = request.method === 'POST' && /\/AuditEvent\/?$/.test(request.url ?? '');
      if (proxy.mode === 'down' || (proxy.mode === 'audit-down' && auditWrite)) {
        return sendJson(response, 503, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'transient' }] });
      }
      const forwarded = await fetch(new URL(request.url ?? '/', targetUrl.origin), {
        method: request.method,
        headers: Object.fromEntries(
          Object.entries(request.headers).filter(
            (entry): entry is [string, string] => typeof entry[1] === 'string' && !HOP_BY_HOP.includes(entry[0]),
          ),
        ),
        body: body.length > 0 ? new Uint8Array(body) : undefined,
      });
      const headers: Record<string, string> = {};
      for (const name of ['content-type', 'location', 'etag']) {
        const value = forwarded.headers.get(name);
        if (value !== null) headers[name] = value;
      }
      response.writeHead(forwarded.status, headers);
      response.end(Buffer.from(await forwarded.arrayBuffer()));
    })().catch(() => sendJson(response, 502, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception' }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  proxy.baseUrl = `http://127.0.0.1:${port}${targetUrl.pathname.replace(/\/+$/, '')}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return proxy;
}

function read(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}
