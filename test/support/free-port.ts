import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Ports each jest worker picks from, and how many workers get a block of their own. */
const BLOCK = 1000;
const BLOCKS = 12;

/**
 * A loopback port that was free a moment ago (the issuer URL must be known before the app starts).
 *
 * Not one the kernel picks with listen(0): that comes from the ephemeral range, where every outgoing
 * connection (the PostgreSQL pool, an HTTP client, Chromium) also takes its local port, and one did
 * take the port between our check and the server's listen (EADDRINUSE in a full run). The port is
 * taken below that range instead, from a block of its own for each jest worker, so neither an outgoing
 * connection nor another worker picks it in between.
 */
export async function freePort(): Promise<number> {
  const first = firstOwnPort();
  if (first === undefined) return listenAndClose(0);
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = first + Math.floor(Math.random() * BLOCK);
    if (handedOut.has(port)) continue;
    const free = await listenAndClose(port).then(
      () => true,
      () => false,
    );
    if (free) {
      handedOut.add(port);
      return port;
    }
  }
  return listenAndClose(0);
}

/**
 * Ports this module handed out (jest loads it anew for each test file). A port is free only until its
 * server listens, and a suite may ask for two before either does: the SLO suite's service, then its
 * back-channel receiver, which once got the same port and took it first (EADDRINUSE in a full run).
 */
const handedOut = new Set<number>();

/** This worker's first port below the ephemeral range, or undefined where that range leaves no room. */
function firstOwnPort(): number | undefined {
  let ephemeralStart: number;
  try {
    ephemeralStart = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  } catch {
    return undefined;
  }
  const base = ephemeralStart - BLOCK * BLOCKS;
  if (!Number.isInteger(base) || base < 1024) return undefined;
  const worker = Number(process.env.JEST_WORKER_ID ?? 0) % BLOCKS;
  return base + worker * BLOCK;
}

function listenAndClose(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as { port: number };
      server.close(() => resolve(bound));
    });
  });
}
