import { engines } from '../../test/support/database-engines.js';
import { holding, waitingForLocks } from '../../test/support/lock-races.js';
import { migratedScratch } from '../../test/support/migrated-scratch.js';
import { planOf } from '../../test/support/statement-plans.js';
import { at, T0 } from '../../test/support/session-rows.js';
import type { Database, Queryable } from './database.js';
import { EXTERNAL_ID_DIGEST_PREFIX, LEGACY_ROWS, UserRepository, type ExternalIdentity } from './user.repository.js';

/**
 * Users are found by a digest of the IdP's identifier, never stored in the clear (migration 018). A
 * row an earlier release stored with the identifier in the clear (a DigiD NameID carries the BSN) is
 * taken over at the person's next login, keeping its id and so the `sub` of their tokens.
 */
describe.each(engines)('users on $name', (engine) => {
  const storage = migratedScratch(engine);
  let db: Database;
  let users: UserRepository;
  let n = 0;

  beforeAll(() => {
    db = storage.db;
    users = new UserRepository(db);
  });

  /** A person at IdP `idp` of realm `r`, by a NameID carrying a BSN of their own, and a stand-in for its digest. */
  function person(): ExternalIdentity {
    const bsn = String(100_000_000 + ++n);
    return { legacy: `s00000000:${bsn}`, digest: `${EXTERNAL_ID_DIGEST_PREFIX}digest-of-${n}` };
  }

  /** A row as releases before migration 018 wrote it: the identifier in the clear. */
  async function legacyRow(id: string, identity: ExternalIdentity, db: Queryable = storage.db): Promise<void> {
    await db.query(`INSERT INTO users (id, realm, idp_alias, external_id, created_at, last_login_at) VALUES ($1, 'r', 'idp', $2, $3, $3)`, [
      id,
      identity.legacy,
      T0,
    ]);
  }

  const rowsOf = async (...ids: string[]) =>
    (
      await db.query<{ id: string; external_id: string; last_login_at: Date }>(
        'SELECT id, external_id, last_login_at FROM users WHERE id = ANY($1::text[]) ORDER BY id',
        [ids],
      )
    ).rows;

  it('stores the digest, never the identifier, and finds the same user by it at the next login', async () => {
    const identity = person();
    const id = await users.upsert('r', 'idp', identity, T0);
    expect(await users.upsert('r', 'idp', identity, at(60))).toBe(id);
    const rows = await rowsOf(id);
    expect(rows).toEqual([{ id, external_id: identity.digest, last_login_at: at(60) }]);
    expect(JSON.stringify(rows)).not.toContain(identity.legacy.slice(-9));
    // The same identifier at another IdP, or in another realm, is another user.
    expect(await users.upsert('r', 'other-idp', identity, T0)).not.toBe(id);
    expect(await users.upsert('other-realm', 'idp', identity, T0)).not.toBe(id);
  });

  it("takes over an earlier release's row: the same id, its identifier replaced by the digest", async () => {
    const identity = person();
    await legacyRow(`legacy-${n}`, identity);
    expect(await users.upsert('r', 'idp', identity, at(60))).toBe(`legacy-${n}`);
    expect(await rowsOf(`legacy-${n}`)).toEqual([{ id: `legacy-${n}`, external_id: identity.digest, last_login_at: at(60) }]);
    expect(await users.legacyRows('', 1000)).not.toContainEqual(expect.objectContaining({ id: `legacy-${n}` }));
  });

  it("takes over no row whose external id is a digest or a marker, whatever the IdP's identifier reads", async () => {
    const someone = person();
    const id = await users.upsert('r', 'idp', someone, T0);
    const marked = `marked-${n}`;
    await db.query(`INSERT INTO users (id, realm, idp_alias, external_id, created_at, last_login_at) VALUES ($1, 'r', 'idp', $2, $3, $3)`, [
      marked,
      `superseded:${marked}`,
      T0,
    ]);
    for (const legacy of [someone.digest, `superseded:${marked}`]) {
      const other = { ...person(), legacy };
      expect(await users.upsert('r', 'idp', other, at(60))).not.toMatch(new RegExp(`^(${id}|${marked})$`));
    }
    expect((await rowsOf(id, marked)).map((row) => row.external_id).sort()).toEqual([someone.digest, `superseded:${marked}`].sort());
  });

  it('answers with the digest row when an earlier release made a second row, and leaves that one to the sweep', async () => {
    const identity = person();
    const id = await users.upsert('r', 'idp', identity, T0);
    await legacyRow(`duplicate-${n}`, identity);
    expect(await users.upsert('r', 'idp', identity, at(60))).toBe(id);
    expect((await rowsOf(`duplicate-${n}`))[0]!.external_id).toBe(identity.legacy);
  });

  it('pages through the rows still in the clear, and replaces each once: by its digest, or by a marker when a digest row exists', async () => {
    const [alone, twice, taken] = [person(), person(), person()];
    const ids = [`sweep-${n}-a`, `sweep-${n}-b`, `sweep-${n}-c`];
    await legacyRow(ids[0]!, alone);
    await legacyRow(ids[1]!, twice);
    await legacyRow(ids[2]!, taken);
    // The second row of `twice`, made by a login on this release while an earlier one still ran.
    const digestRow = `sweep-${n}-digest`;
    await db.query(`INSERT INTO users (id, realm, idp_alias, external_id, created_at, last_login_at) VALUES ($1, 'r', 'idp', $2, $3, $3)`, [
      digestRow,
      twice.digest,
      T0,
    ]);

    const found = (await users.legacyRows(`sweep-${n}-`, 2)).map((row) => row.id);
    expect(found).toEqual(ids.slice(0, 2));
    expect((await users.legacyRows(found[1]!, 2)).map((row) => row.id)).toEqual(ids.slice(2));
    const [a, b, c] = (await users.legacyRows(`sweep-${n}-`, 3)) as [never, never, never];

    await users.upsert('r', 'idp', taken, T0); // a login took this one over since it was read
    expect(await users.replaceLegacy(a, alone.digest)).toBe('digest');
    expect(await users.replaceLegacy(b, twice.digest)).toBe('superseded');
    expect(await users.replaceLegacy(c, taken.digest)).toBe('gone');
    expect(await users.replaceLegacy(a, alone.digest)).toBe('gone');

    const rows = await rowsOf(...ids);
    expect(rows.map((row) => row.external_id)).toEqual([alone.digest, `superseded:${ids[1]}`, taken.digest]);
    expect(await users.legacyRows(`sweep-${n}-`, 10)).toEqual([]);
    // The person of the superseded row is the digest row's user.
    expect(await users.upsert('r', 'idp', twice, at(60))).toBe(digestRow);
  });

  if (engine.name === 'postgres') {
    it('finds the rows still in the clear by their own index, not by reading every user', async () => {
      await db.query(
        `INSERT INTO users (id, realm, idp_alias, external_id, created_at, last_login_at)
         SELECT 'many-' || g, 'r', 'idp', $1 || g, $2, $2 FROM generate_series(1, 20000) g`,
        [EXTERNAL_ID_DIGEST_PREFIX, T0],
      );
      await db.query('ANALYZE users');
      for (const executions of [0, 8]) {
        const { plan } = await planOf(db, { statement: LEGACY_ROWS, types: 'text, int', args: `'', 500` }, { executions });
        expect(plan).toContain('users_legacy_external_id');
      }
    });

    it("lets concurrent first logins of one earlier release's user agree on it, with one row", async () => {
      const identity = person();
      await legacyRow(`raced-${n}`, identity);
      const second = await storage.scratch.connect(); // closed with the scratch
      const first = await holding(db, (tx) => users.upsert('r', 'idp', identity, at(60), tx));
      const racing = second.transaction((tx) => new UserRepository(second).upsert('r', 'idp', identity, at(61), tx));
      await waitingForLocks(db, 1);
      await first.release();
      expect(await racing).toBe(`raced-${n}`);
      const rows = await db.query('SELECT id FROM users WHERE external_id = ANY($1::text[])', [[identity.digest, identity.legacy]]);
      expect(rows.rows).toEqual([{ id: `raced-${n}` }]);
    });

    it('lets a login and the sweep replacing the same row agree on it', async () => {
      const identity = person();
      await legacyRow(`swept-${n}`, identity);
      const row = { id: `swept-${n}`, realm: 'r', idp_alias: 'idp', external_id: identity.legacy };
      const second = await storage.scratch.connect(); // closed with the scratch
      const login = await holding(db, (tx) => users.upsert('r', 'idp', identity, at(60), tx));
      const sweep = new UserRepository(second).replaceLegacy(row, identity.digest);
      await waitingForLocks(db, 1);
      await login.release();
      expect(await sweep).toBe('gone');
      expect(await rowsOf(`swept-${n}`)).toEqual([{ id: `swept-${n}`, external_id: identity.digest, last_login_at: at(60) }]);
    });
  }
});
