import type { Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * `limits.maxConnections`: idle sockets held open cannot take more of the process's file descriptors
 * than that; a connection beyond it is closed as it arrives, and one freed is usable again at once.
 */
describe('connections the public port holds at once', () => {
  const LIMIT = 4;
  let server: TestServer;
  let port: number;
  const held: Socket[] = [];

  beforeAll(async () => {
    server = await startTestServer({ patch: (raw) => (raw.limits = { ...raw.limits, maxConnections: LIMIT }) });
    port = Number(new URL(server.baseUrl).port);
  });
  afterAll(async () => {
    for (const socket of held) socket.destroy();
    await server.close();
  });

  const open = () =>
    new Promise<Socket>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(socket)).on('error', reject);
    });
  const discovery = () =>
    fetch(`${server.baseUrl}/realms/nemlogin/.well-known/openid-configuration`, { headers: { connection: 'close' } }).then(
      (response) => response.status,
      (error: unknown) => (error as Error).name,
    );

  /** Until the server counts `count` connections: it counts one once it has accepted it, and forgets it once closed. */
  const serverHolds = async (count: number) => {
    const http = server.app.getHttpServer() as Server;
    const held = () => new Promise<number>((resolve, reject) => http.getConnections((error, n) => (error ? reject(error) : resolve(n))));
    while ((await held()) !== count) await new Promise((resolve) => setTimeout(resolve, 10));
  };

  it('closes a connection beyond the limit, and serves again once one is freed', async () => {
    expect(await discovery()).toBe(200);
    await serverHolds(0);
    for (let i = 0; i < LIMIT; i++) held.push(await open());
    await serverHolds(LIMIT);
    expect(await discovery()).toBe('TypeError');
    held.pop()!.destroy();
    await serverHolds(LIMIT - 1);
    expect(await discovery()).toBe(200);
  });
});
