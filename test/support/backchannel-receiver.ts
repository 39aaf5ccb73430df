import { createServer, type Server } from 'node:http';
import { decodeJwt } from 'jose';
import { freePort } from './free-port.js';

/**
 * A client's back-channel logout endpoint for tests (OIDC Back-Channel Logout 1.0 §2.5): a small
 * HTTP server that keeps every `logout_token` POSTed to it and answers with the status the test sets
 * (200 by default), at once or, while the test holds it, once released. `next()` and `tokenFor(sid)`
 * wait for a token; nothing here depends on timing.
 */
export class BackchannelReceiver {
  readonly url: string;
  /** What the next request is answered with. */
  status = 200;
  private readonly tokens: string[] = [];
  private readonly answeredWaiters: ((status: number) => void)[] = [];
  private readonly waiting: { wanted: (token: string) => boolean; resolve: (token: string) => void }[] = [];
  private server: Server | undefined;
  /** Set while {@link hold} holds the answers back. */
  private held: Promise<void> | undefined;

  private constructor(readonly port: number) {
    this.url = `http://127.0.0.1:${port}/backchannel-logout`;
  }

  /** A receiver on a port of its own; `listening: false` reserves the port but refuses connections until {@link listen}. */
  static async create(options: { listening?: boolean } = {}): Promise<BackchannelReceiver> {
    const receiver = new BackchannelReceiver(await freePort());
    if (options.listening !== false) await receiver.listen();
    return receiver;
  }

  async listen(): Promise<void> {
    this.server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        const answer = () => {
          const status = this.status;
          response.writeHead(status, { 'cache-control': 'no-store' }).end();
          for (const answered of this.answeredWaiters.splice(0)) answered(status);
          const token = new URLSearchParams(body).get('logout_token');
          const typed = request.method === 'POST' && request.headers['content-type'] === 'application/x-www-form-urlencoded';
          if (status === 200 && token && typed) this.deliver(token);
        };
        if (this.held) void this.held.then(answer);
        else answer();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }

  /**
   * A slow client: requests are read but not answered (nor their tokens kept) until the returned
   * release is called, which answers them and ends the hold.
   */
  hold(): () => void {
    let release!: () => void;
    this.held = new Promise((resolve) => (release = resolve));
    return () => {
      this.held = undefined;
      release();
    };
  }

  /** The next logout token received (already received ones first). */
  next(): Promise<string> {
    return this.matching(() => true);
  }

  /** Resolves with the status of the next request answered (whatever it carried). */
  nextAnswer(): Promise<number> {
    return new Promise((resolve) => this.answeredWaiters.push(resolve));
  }

  /** The logout token for session `sid` (its `sid` claim), whenever it arrives. */
  tokenFor(sid: string): Promise<string> {
    return this.matching((token) => decodeJwt(token).sid === sid);
  }

  private matching(wanted: (token: string) => boolean): Promise<string> {
    const index = this.tokens.findIndex(wanted);
    if (index !== -1) return Promise.resolve(this.tokens.splice(index, 1)[0]!);
    return new Promise((resolve) => this.waiting.push({ wanted, resolve }));
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private deliver(token: string): void {
    const waiter = this.waiting.findIndex((w) => w.wanted(token));
    if (waiter === -1) this.tokens.push(token);
    else this.waiting.splice(waiter, 1)[0]!.resolve(token);
  }
}
