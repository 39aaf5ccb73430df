import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What one path answers: a document (200), another status, or a connection dropped without an answer. */
export type MetadataAnswer = { body: string } | { status: number } | { drop: true };

/**
 * A small HTTP server standing in for IdPs' metadata endpoints: each path answers what the test set
 * last, and counts the requests it got (so a test can wait for the service's next refresh).
 */
export class MetadataServer {
  private readonly answers = new Map<string, MetadataAnswer>();
  private readonly counts = new Map<string, number>();

  private readonly server: Server;
  baseUrl = '';

  private constructor() {
    this.server = createServer((request, response) => {
      const path = request.url ?? '/';
      this.counts.set(path, (this.counts.get(path) ?? 0) + 1);
      const answer = this.answers.get(path) ?? { status: 404 };
      if ('drop' in answer) return request.socket.destroy();
      if ('status' in answer) {
        response.statusCode = answer.status;
        return response.end('unavailable');
      }
      response.setHeader('content-type', 'application/samlmetadata+xml');
      response.end(answer.body);
    });
  }

  static async start(): Promise<MetadataServer> {
    const self = new MetadataServer();
    await new Promise<void>((resolve) => self.server.listen(0, '127.0.0.1', resolve));
    self.baseUrl = `http://127.0.0.1:${(self.server.address() as AddressInfo).port}`;
    return self;
  }

  url(path: string): string {
    return `${this.baseUrl}${path}`;
  }

  serve(path: string, answer: MetadataAnswer): void {
    this.answers.set(path, answer);
  }

  requests(path: string): number {
    return this.counts.get(path) ?? 0;
  }

  /** Resolves once `path` has been requested `count` more times than now (each a refresh by the service). */
  async nextRequests(path: string, count = 1, timeoutMs = 15_000): Promise<void> {
    const target = this.requests(path) + count;
    const deadline = Date.now() + timeoutMs;
    while (this.requests(path) < target) {
      if (Date.now() > deadline) throw new Error(`${path} was not requested again within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
