import type { Config } from '../config/config.schema.js';
import { engines } from '../../test/support/database-engines.js';
import { migratedScratch } from '../../test/support/migrated-scratch.js';
import { T0 } from '../../test/support/session-rows.js';
import { UserRepository } from '../storage/user.repository.js';
import { ExternalIdDigest } from './external-id-digest.js';
import { LegacyExternalIdSweep } from './legacy-external-id-sweep.js';

/** Rows of an earlier release, each a citizen whose NameID carries a BSN (`s00000000:…`), 1,201 of them: three pages and a row. */
const LEGACY_ROWS = 1201;

describe.each(engines)('the sweep of external ids stored in the clear, on $name', (engine) => {
  const storage = migratedScratch(engine);
  const digests = new ExternalIdDigest({ keys: { encryptionKey: 'test-only-key-encryption-key-0123456789' } } as Config);
  let users: UserRepository;

  beforeAll(async () => {
    users = new UserRepository(storage.db);
    await storage.db.query(
      `INSERT INTO users (id, realm, idp_alias, external_id, created_at, last_login_at)
       SELECT 'legacy-' || lpad(g::text, 5, '0'), 'nl', 'digid', 's00000000:' || (100000000 + g), $1, $1
         FROM generate_series(1, ${LEGACY_ROWS}) g`,
      [T0],
    );
  });

  const inTheClear = async () =>
    (await storage.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM users WHERE external_id LIKE 's00000000:%'`)).rows[0]!.n;

  it('stops after the page under way at shutdown, and the next boot goes on; a login then finds the same user', async () => {
    const stopped = new LegacyExternalIdSweep(users, digests);
    await stopped.onApplicationBootstrap();
    await stopped.onApplicationShutdown();
    expect(await inTheClear()).toBe(LEGACY_ROWS - 500);

    // A login on this release before the next boot: it takes its row over itself.
    expect(await users.upsert('nl', 'digid', digests.identity('nl', 'digid', 's00000000:100001000'), T0)).toBe('legacy-01000');

    const next = new LegacyExternalIdSweep(users, digests);
    const counts = await next.sweep(await users.legacyRows('', 500));
    expect(counts).toEqual({ digest: LEGACY_ROWS - 501, superseded: 0, gone: 0 });
    expect(await inTheClear()).toBe(0);
    // The digest the sweep stored is the one a login computes: the person keeps their user, and so their `sub`.
    expect(await users.upsert('nl', 'digid', digests.identity('nl', 'digid', 's00000000:100000001'), T0)).toBe('legacy-00001');
    expect(await users.upsert('nl', 'digid', digests.identity('nl', 'digid', 's00000000:100001201'), T0)).toBe('legacy-01201');
    expect((await storage.db.query('SELECT 1 FROM users')).rows).toHaveLength(LEGACY_ROWS);
  });
});
