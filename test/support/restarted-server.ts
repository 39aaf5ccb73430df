import type { Database } from '../../src/storage/database.js';
import { pgliteEngine, type Scratch } from './database-engines.js';
import { startTestServer, type TestServer } from './test-server.js';

/** A test server that a suite restarts on one database, each start with its own config. */
export interface RestartedServer {
  /** Stops the running instance, if any, and starts one whose config `patch` changes. */
  start(patch?: (raw: Record<string, any>) => void): Promise<TestServer>;
  /** Stops the running instance (a command then has its database to itself). */
  stop(): Promise<void>;
  readonly server: TestServer;
  readonly db: Database;
}

/**
 * What a deployment's config change does to what was made before it: the same PGlite database and the
 * same port at every start (one issuer, so tokens and the login's redirects stay this realm's).
 * Registers the suite's beforeAll and afterAll.
 */
export function restartedServerForSuite(): RestartedServer {
  let scratch: Scratch | undefined;
  let db: Database | undefined;
  let server: TestServer | undefined;
  let port: number | undefined;
  beforeAll(async () => {
    scratch = await pgliteEngine.createScratch();
    db = await scratch.connect();
  });
  afterAll(async () => {
    await server?.close();
    await scratch?.dispose();
  });
  return {
    async start(patch) {
      await server?.close();
      server = await startTestServer({ port, overrides: { database: db! }, patch });
      port ??= Number(new URL(server.baseUrl).port);
      return server;
    },
    async stop() {
      await server?.close();
      server = undefined;
    },
    get server() {
      return server!;
    },
    get db() {
      return db!;
    },
  };
}
