import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';

/** A browser app for tests: its pages, and files it loads from node_modules (a client library's bundle). */
export interface StaticApp {
  origin: string;
  close(): Promise<void>;
}

/**
 * Serves a tiny single-page app on its own loopback origin: `pages` by path (HTML), `files` by path
 * (JavaScript read from disk). Anything else is 404. The app's origin is what the test registers as
 * the client's web origin and redirect URI.
 */
export async function startStaticApp(port: number, pages: Record<string, string>, files: Record<string, string>): Promise<StaticApp> {
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://app.invalid').pathname;
    if (pages[path] !== undefined) {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(pages[path]);
      return;
    }
    const file = files[path];
    if (file === undefined) {
      response.writeHead(404).end();
      return;
    }
    readFile(file).then(
      (body) => response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(body),
      () => response.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
