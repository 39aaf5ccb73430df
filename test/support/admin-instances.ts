import type { Database } from '../../src/storage/database.js';
import { withAdminClients } from './admin-api.js';
import type { Engine, Scratch } from './database-engines.js';
import type { TestClock } from './test-clock.js';
import { startTestServer, type TestServer } from './test-server.js';

/**
 * Two instances of the calling `describe` on one `engine` database (PGlite's single handle, or two
 * PostgreSQL connections), with the admin clients and the issuer of `a`, on the shared `clock`: what
 * an admin action through one must change on the other. Started before all its tests (the object's
 * `a` and `b` are set then), closed after.
 */
export function adminInstancesForSuite(engine: Engine, clock: TestClock): { a: TestServer; b: TestServer } {
  let scratch: Scratch;
  const servers = {} as { a: TestServer; b: TestServer };

  const startInstance = async (db: Database, url?: string) =>
    startTestServer({
      overrides: { database: db, clock },
      patch: (raw) => {
        withAdminClients(raw.realms[0]);
        if (url) raw.publicUrl = url;
      },
    });

  beforeAll(async () => {
    scratch = await engine.createScratch();
    servers.a = await startInstance(await scratch.connect());
    servers.b = await startInstance(await scratch.connect(), servers.a.baseUrl);
  });
  afterAll(async () => {
    await servers.a?.close();
    await servers.b?.close();
    await scratch?.dispose();
  });
  return servers;
}

/** The kids of `server`'s nemlogin JWKS, in its order. */
export async function jwksKids(server: TestServer): Promise<string[]> {
  const jwks = (await (await fetch(`${server.baseUrl}/realms/nemlogin/protocol/openid-connect/certs`)).json()) as {
    keys: { kid: string }[];
  };
  return jwks.keys.map((key) => key.kid);
}
