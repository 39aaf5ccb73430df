import { engines } from '../../test/support/database-engines.js';
import { migratedScratch } from '../../test/support/migrated-scratch.js';
import { at, clientSessionRow, insertUser, ssoSessionRow, T0 } from '../../test/support/session-rows.js';
import type { Database } from './database.js';
import { SessionRepository } from './session.repository.js';
import { SsoSessionNameIdRepository } from './sso-session-name-id.repository.js';
import { SsoSessionRepository, type Reauthentication } from './sso-session.repository.js';

/**
 * Single logout after a renewed SSO session (migration 015): the same person logged in again in the
 * same browser (prompt=login, max_age), the SSO session kept its id and its client sessions, and took
 * the new login's SessionIndex and NameID. A LogoutRequest of the IdP naming the earlier login's
 * SessionIndex or NameID must still find it (SAML Core §3.7.3.2, Profiles §4.4.4.2).
 */
describe.each(engines)('SSO session NameIDs across a renewed login on $name', (engine) => {
  const storage = migratedScratch(engine);
  let db: Database;
  let ssoSessions: SsoSessionRepository;
  let sessions: SessionRepository;
  let nameIds: SsoSessionNameIdRepository;
  let n = 0;

  beforeAll(() => {
    db = storage.db;
    ssoSessions = new SsoSessionRepository(db);
    sessions = new SessionRepository(db);
    nameIds = new SsoSessionNameIdRepository(db);
  });

  /** A login at IdP `idp` under `sessionIndex` with NameID `nameId`, and a client session opened by it. */
  async function login(sessionIndex: string, nameId: string) {
    const id = `sso-${++n}`;
    const userId = `user-${n}`;
    await insertUser(db, userId, T0, 'idp');
    await ssoSessions.create(
      ssoSessionRow(id, userId, T0, { idp_alias: 'idp', idp_session_index: sessionIndex, secret_hash: `digest-${n}` }),
    );
    await nameIds.record({ ssoSessionId: id, realm: 'r', idpAlias: 'idp', nameIdDigest: nameId, nameIdEnc: `sealed-${nameId}` });
    await clientSession(id, userId, sessionIndex, 'first');
    return { id, userId };
  }

  async function clientSession(ssoId: string, userId: string, sessionIndex: string, name: string) {
    const row = { idp_alias: 'idp', idp_session_index: sessionIndex, sso_session_id: ssoId };
    await sessions.create(clientSessionRow(`${ssoId}.${name}`, userId, T0, row));
  }

  /** The same person logs in again in the browser of SSO session `ssoId`: as SsoSessionService.establish and IdpSubjects.remember do. */
  async function relogin(sso: { id: string; userId: string }, sessionIndex: string, nameId: string) {
    const change: Reauthentication = {
      secret_hash: `digest-${sso.id}-again`,
      idp_alias: 'idp',
      idp_session_index: sessionIndex,
      profile: {},
      auth_time: at(60),
      acr: null,
      link: { kind: 'none' },
      national_id_enc: null,
      idleSeconds: 1800,
      notOnOrAfter: null,
    };
    expect(await ssoSessions.reauthenticate(sso.id, change, at(60))).toBeDefined();
    await nameIds.record({ ssoSessionId: sso.id, realm: 'r', idpAlias: 'idp', nameIdDigest: nameId, nameIdEnc: `sealed-${nameId}` });
    await clientSession(sso.id, sso.userId, sessionIndex, 'second');
  }

  it('finds the SSO session by the SessionIndex of an earlier login, as by the latest', async () => {
    const sso = await login('_idx-A', 'digest-p');
    await relogin(sso, '_idx-B', 'digest-p');
    expect(await nameIds.liveSsoSessions('r', 'idp', 'digest-p', ['_idx-A'], at(61))).toEqual([sso.id]);
    expect(await nameIds.liveSsoSessions('r', 'idp', 'digest-p', ['_idx-B'], at(61))).toEqual([sso.id]);
    expect(await nameIds.liveSsoSessions('r', 'idp', 'digest-p', ['_idx-other'], at(61))).toEqual([]);
    // Another IdP's session of that index names nothing here.
    expect(await nameIds.liveSsoSessions('r', 'other-idp', 'digest-p', ['_idx-A'], at(61))).toEqual([]);
  });

  it('finds the SSO session by the NameID of an earlier login (a transient NameID per login); sends the latest', async () => {
    const sso = await login('_idx-C', 'digest-transient-1');
    await relogin(sso, '_idx-D', 'digest-transient-2');
    expect(await nameIds.liveSsoSessions('r', 'idp', 'digest-transient-1', ['_idx-C'], at(61))).toEqual([sso.id]);
    expect(await nameIds.liveSsoSessions('r', 'idp', 'digest-transient-1', [], at(61))).toEqual([sso.id]);
    expect(await nameIds.liveSsoSessions('r', 'idp', 'digest-transient-2', [], at(61))).toEqual([sso.id]);
    expect(await nameIds.sealedNameId(sso.id)).toBe('sealed-digest-transient-2');
    // The first NameID again: it is the latest login's now.
    await nameIds.record({
      ssoSessionId: sso.id,
      realm: 'r',
      idpAlias: 'idp',
      nameIdDigest: 'digest-transient-1',
      nameIdEnc: 'sealed-anew',
    });
    expect(await nameIds.sealedNameId(sso.id)).toBe('sealed-anew');
    // The latest NameID where the previous release reads and writes it; the earlier one as a digest beside it.
    const latest = await db.query('SELECT name_id_digest FROM sso_session_name_ids WHERE sso_session_id = $1', [sso.id]);
    const earlier = await db.query('SELECT name_id_digest FROM sso_session_earlier_name_ids WHERE sso_session_id = $1', [sso.id]);
    expect(latest.rows).toEqual([{ name_id_digest: 'digest-transient-1' }]);
    expect(earlier.rows).toContainEqual({ name_id_digest: 'digest-transient-2' });
    expect(await nameIds.liveSsoSessions('r', 'idp', 'digest-transient-2', [], at(61))).toEqual([sso.id]);
  });

  it('keeps the previous release’s statements working on this schema (instances not yet upgraded during a rollout)', async () => {
    const sso = await login('_idx-E', 'digest-old-1');
    // The previous release's record() and sealedNameId(), verbatim.
    await db.query(
      `INSERT INTO sso_session_name_ids (sso_session_id, realm, idp_alias, name_id_digest, name_id_enc) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (sso_session_id) DO UPDATE SET idp_alias = $3, name_id_digest = $4, name_id_enc = $5`,
      [sso.id, 'r', 'idp', 'digest-old-2', 'sealed-old-2'],
    );
    const { rows } = await db.query<{ name_id_enc: string }>('SELECT name_id_enc FROM sso_session_name_ids WHERE sso_session_id = $1', [
      sso.id,
    ]);
    expect(rows).toEqual([{ name_id_enc: 'sealed-old-2' }]);
    expect(await nameIds.liveSsoSessions('r', 'idp', 'digest-old-2', [], at(61))).toEqual([sso.id]);
  });

  it('finds no ended SSO session by an earlier SessionIndex', async () => {
    const sso = await login('_idx-E', 'digest-q');
    await relogin(sso, '_idx-F', 'digest-q');
    await ssoSessions.end(sso.id, 'logout', at(62));
    expect(await nameIds.liveSsoSessions('r', 'idp', 'digest-q', ['_idx-E'], at(63))).toEqual([]);
  });
});
