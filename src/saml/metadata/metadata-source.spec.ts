import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMetadataText } from './metadata-source.js';

describe('fetching IdP metadata, bounded', () => {
  let server: Server;
  let base: string;
  const routes: Record<string, (response: import('node:http').ServerResponse) => void> = {
    '/ok': (r) => r.end('<md:EntityDescriptor/>'),
    '/error': (r) => {
      r.statusCode = 500;
      r.end('down');
    },
    '/redirected-away': (r) => {
      r.statusCode = 404;
      r.end();
    },
    // No Content-Length: the cap is counted while reading.
    '/endless': (r) => {
      r.write('x'.repeat(600));
      r.end('x'.repeat(600));
    },
    '/latin1': (r) => r.end(Buffer.from([0x3c, 0xe6, 0x3e])),
  };

  beforeAll(async () => {
    server = createServer((request, response) => (routes[request.url ?? ''] ?? routes['/redirected-away'])(response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('returns the document of a 200', async () => {
    await expect(loadMetadataText({ url: `${base}/ok` })).resolves.toBe('<md:EntityDescriptor/>');
  });

  it('refuses any other status, an unreachable server, a body past the cap and non-UTF-8', async () => {
    await expect(loadMetadataText({ url: `${base}/error` })).rejects.toThrow('metadata fetch answered HTTP 500');
    await expect(loadMetadataText({ url: 'http://127.0.0.1:1/metadata' })).rejects.toThrow('metadata fetch failed');
    await expect(loadMetadataText({ url: `${base}/endless` }, 1000)).rejects.toThrow('metadata larger than the size cap');
    await expect(loadMetadataText({ url: `${base}/latin1` })).rejects.toThrow('metadata is not UTF-8');
  });

  it('reads a file the same way', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'metadata-'));
    writeFileSync(join(dir, 'idp.xml'), '<a/>');
    writeFileSync(join(dir, 'big.xml'), 'x'.repeat(1001));
    await expect(loadMetadataText({ file: join(dir, 'idp.xml') })).resolves.toBe('<a/>');
    await expect(loadMetadataText({ file: join(dir, 'big.xml') }, 1000)).rejects.toThrow('metadata larger than the size cap');
    await expect(loadMetadataText({ file: join(dir, 'missing.xml') })).rejects.toThrow('cannot read the metadata file');
  });
});
