import { engines } from '../../test/support/database-engines.js';
import { migratedScratch } from '../../test/support/migrated-scratch.js';
import type { Database } from './database.js';
import { ExpiredRowsRepository } from './expired-rows.repository.js';
import { SamlIdpLogoutRepository, type ArrivingAssertion, type SamlIdpLogout } from './saml-idp-logout.repository.js';

const T0 = new Date('2030-01-01T12:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

/**
 * SAML Core §3.7.3.2: an accepted IdP LogoutRequest applies to an assertion that arrives after it —
 * same IdP, same NameID, one of its SessionIndexes or none named, issued before the request or at its
 * instant, the request not expired. Each test has a NameID of its own.
 */
describe.each(engines)('IdP LogoutRequests applied to late assertions on $name', (engine) => {
  const storage = migratedScratch(engine);
  let db: Database;
  let logouts: SamlIdpLogoutRepository;
  let n = 0;

  beforeAll(() => {
    db = storage.db;
    logouts = new SamlIdpLogoutRepository(db);
  });

  /** A LogoutRequest for a NameID of its own, issued at T0, applying for 30 minutes. */
  async function logout(change: Partial<SamlIdpLogout> = {}): Promise<SamlIdpLogout> {
    const row = {
      realm: 'r',
      idpAlias: 'idp',
      nameIdDigest: `digest-${++n}`,
      requestId: `_req-${n}`,
      sessionIndexes: ['_idx-a'],
      issuedAt: T0,
      expiresAt: at(1800),
      ...change,
    };
    await logouts.record(row);
    return row;
  }

  /** An assertion of `row`'s IdP and NameID under `_idx-a`, issued a second before it, arriving a minute after it. */
  function covers(row: SamlIdpLogout, change: Partial<ArrivingAssertion> = {}, now = at(60)): Promise<boolean> {
    const assertion = { realm: row.realm, idpAlias: row.idpAlias, nameIdDigest: row.nameIdDigest, sessionIndex: '_idx-a' };
    return logouts.covers({ ...assertion, issuedAt: at(-1), ...change }, now);
  }

  it('covers an assertion of the same IdP and NameID, under a SessionIndex it named, issued before it', async () => {
    const row = await logout({ sessionIndexes: ['_idx-z', '_idx-a'] });
    expect(await covers(row)).toBe(true);
  });

  it('naming no SessionIndex, covers every session of the NameID, and an assertion without one', async () => {
    const row = await logout({ sessionIndexes: [] });
    expect(await covers(row, { sessionIndex: '_idx-other' })).toBe(true);
    expect(await covers(row, { sessionIndex: undefined })).toBe(true);
  });

  it('does not cover another SessionIndex, nor an assertion without one when it named some', async () => {
    const row = await logout({ sessionIndexes: ['_idx-a'] });
    expect(await covers(row, { sessionIndex: '_idx-b' })).toBe(false);
    expect(await covers(row, { sessionIndex: undefined })).toBe(false);
  });

  it('does not cover an assertion issued after it: a new login after the logout goes through', async () => {
    const row = await logout({ sessionIndexes: [] });
    expect(await covers(row, { issuedAt: at(1) })).toBe(false);
  });

  it('covers an assertion issued at its own instant: an IdP writing whole seconds cannot order the two, so no session it ended is made', async () => {
    const row = await logout({ sessionIndexes: [] });
    expect(await covers(row, { issuedAt: T0 })).toBe(true);
  });

  it('does not cover another NameID, another IdP or another realm', async () => {
    const row = await logout();
    expect(await covers(row, { nameIdDigest: 'digest-other' })).toBe(false);
    expect(await covers(row, { idpAlias: 'other-idp' })).toBe(false);
    expect(await covers(row, { realm: 'other-realm' })).toBe(false);
  });

  it('applies until it expires, and no longer', async () => {
    const row = await logout({ expiresAt: at(120) });
    expect(await covers(row, {}, at(119))).toBe(true);
    expect(await covers(row, {}, at(120))).toBe(false);
  });

  it('the same request recorded twice is one row; another request for the same NameID is another', async () => {
    const row = await logout({ sessionIndexes: ['_idx-a'] });
    await logouts.record(row);
    await logouts.record({ ...row, requestId: '_req-second', sessionIndexes: ['_idx-b'] });
    const { rows } = await db.query('SELECT request_id FROM saml_idp_logouts WHERE name_id_digest = $1 ORDER BY request_id', [
      row.nameIdDigest,
    ]);
    expect(rows).toEqual([{ request_id: row.requestId }, { request_id: '_req-second' }]);
    expect(await covers(row, { sessionIndex: '_idx-b' })).toBe(true);
  });

  it('is written in the transaction it is given: rolled back with it', async () => {
    const row = { ...(await logout()), nameIdDigest: 'digest-rolled-back' };
    await expect(
      db.transaction(async (tx) => {
        await logouts.record(row, tx);
        expect(await logouts.covers({ ...row, sessionIndex: '_idx-a', issuedAt: at(-1) }, at(60), tx)).toBe(true);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await covers(row)).toBe(false);
  });

  it('housekeeping deletes the expired rows and keeps the others', async () => {
    const expired = await logout({ expiresAt: at(-10) });
    const live = await logout({ expiresAt: at(10) });
    const purged = await new ExpiredRowsRepository(db).purge(T0, new Date(0), new Date(0));
    // Every other test's request still applies at T0.
    expect(purged.saml_idp_logouts).toBe(1);
    const { rows } = await db.query<{ request_id: string }>('SELECT request_id FROM saml_idp_logouts WHERE request_id = ANY($1)', [
      [expired.requestId, live.requestId],
    ]);
    expect(rows).toEqual([{ request_id: live.requestId }]);
  });
});
