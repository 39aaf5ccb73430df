import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy in front of a server (PostgreSQL) that can stop passing bytes while keeping every
 * connection open: what a client sees of a half-open connection or a network that drops packets.
 * Frozen, it discards what either side sends (what the client sent is kept in `dropped`, for
 * assertions), passes on no close and answers nothing to new connections; thawed, bytes pass again.
 */
export interface FreezableProxy {
  /** The URL of `upstreamUrl` with this proxy's host and port. */
  readonly url: string;
  /** What the client sent while the proxy was frozen, as latin1 text (the protocol's tags and SQL are ASCII). */
  readonly dropped: string[];
  freeze(): void;
  thaw(): void;
  close(): Promise<void>;
}

export async function startFreezableProxy(upstreamUrl: string): Promise<FreezableProxy> {
  const upstream = new URL(upstreamUrl);
  const sockets = new Set<Socket>();
  const dropped: string[] = [];
  let frozen = false;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server: Server = createServer((client) => {
    track(client);
    // A connection made while frozen is accepted and never answered.
    if (frozen) {
      client.on('data', (bytes) => dropped.push(bytes.toString('latin1')));
      return;
    }
    const toServer = connect(Number(upstream.port || 5432), upstream.hostname);
    track(toServer);
    client.on('data', (bytes) => (frozen ? dropped.push(bytes.toString('latin1')) : toServer.write(bytes)));
    toServer.on('data', (bytes) => frozen || client.write(bytes));
    client.on('close', () => toServer.destroy());
    // Frozen, even the server closing its end is not passed on: the client learns nothing.
    toServer.on('close', () => frozen || client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(upstreamUrl);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as AddressInfo).port);
  return {
    url: url.href,
    dropped,
    freeze: () => {
      frozen = true;
    },
    thaw: () => {
      frozen = false;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
