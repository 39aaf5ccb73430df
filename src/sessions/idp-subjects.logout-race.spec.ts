import { engines } from '../../test/support/database-engines.js';
import { holding } from '../../test/support/lock-races.js';
import { migratedScratch } from '../../test/support/migrated-scratch.js';
import { at, insertUser, ssoSessionRow, T0 } from '../../test/support/session-rows.js';
import { TestClock } from '../../test/support/test-clock.js';
import type { Config } from '../config/config.schema.js';
import type { IdpNameId } from '../identity/idp-name-id.js';
import type { Realm } from '../realms/realm.js';
import type { IdpLogoutRequest } from '../saml/saml-logout.service.js';
import type { Database, Queryable } from '../storage/database.js';
import { SamlIdpLogoutRepository } from '../storage/saml-idp-logout.repository.js';
import { SsoSessionNameIdRepository } from '../storage/sso-session-name-id.repository.js';
import { SsoSessionRepository } from '../storage/sso-session.repository.js';
import { IdpSubjects, type ArrivingLogin } from './idp-subjects.service.js';

const realm = { name: 'r' } as Realm;
const config = { keys: { encryptionKey: 'test-only-key-encryption-key-0123456789' } } as Config;

/**
 * SAML Core §3.7.3.2: the IdP's LogoutRequest applies to the assertion of a login under way as it
 * arrives. The login's transaction asks whether a recorded LogoutRequest covers its assertion, then
 * makes its SSO session; SingleLogoutService records the request, then looks for the sessions it
 * names. Whichever of the two comes first, exactly one wins: the login is refused, or the logout's
 * search finds its session and ends it. Never a session the IdP logged out left alive. On PostgreSQL
 * the two meet on one person's lock here, each held at the worst moment; PGlite runs one transaction
 * at a time, and must come to the same end.
 */
describe.each(engines)('an IdP LogoutRequest meeting a login of its person, on $name', (engine) => {
  const storage = migratedScratch(engine);
  const clock = new TestClock(at(60));
  let db: Database;
  let subjects: IdpSubjects;
  let ssoSessions: SsoSessionRepository;
  let n = 0;

  beforeAll(() => {
    db = storage.db;
    subjects = new IdpSubjects(new SsoSessionNameIdRepository(db), new SamlIdpLogoutRepository(db), config, clock);
    ssoSessions = new SsoSessionRepository(db);
  });

  /** A person of their own mid-login: their assertion (issued at T0, `_idx`), and the IdP's LogoutRequest for it (issued after it). */
  function person() {
    const id = ++n;
    const nameId: IdpNameId = { value: `https://idp.example/person/${id}` };
    const login: ArrivingLogin = { nameId, sessionIndex: '_idx', issuedAt: T0 };
    const request: IdpLogoutRequest = {
      kind: 'request',
      binding: 'redirect',
      id: `_logout-${id}`,
      nameId,
      sessionIndexes: ['_idx'],
      issuedAt: at(30),
      appliesUntil: at(1800),
    };
    return { ssoSessionId: `sso-${id}`, login, request };
  }

  /** What the login's transaction makes once not refused (LoginCompletionService): its SSO session, and whom the IdP named. */
  async function makeSession(tx: Queryable, p: ReturnType<typeof person>): Promise<void> {
    const userId = `user-${p.ssoSessionId}`;
    await insertUser(tx, userId, T0, 'idp');
    await ssoSessions.create(ssoSessionRow(p.ssoSessionId, userId, T0, { idp_alias: 'idp', idp_session_index: '_idx' }), tx);
    await subjects.remember(realm, p.ssoSessionId, 'idp', p.login.nameId!, tx);
  }

  /** The IdP's LogoutRequest as SingleLogoutService takes it: recorded, then the live SSO sessions it names looked for (and ended). */
  async function logout(p: ReturnType<typeof person>): Promise<string[]> {
    await subjects.recordLogout(realm, 'idp', p.request);
    return subjects.liveSsoSessions(realm, 'idp', p.request.nameId, p.request.sessionIndexes);
  }

  /**
   * Whether `work` is still under way once it has had its chance: on PostgreSQL, once a backend waits
   * for a lock (or `work` is done); on PGlite, whose one connection the held transaction has, after a
   * while. Never throws for a `work` that does not wait: the spec then says what came of it.
   */
  async function heldOff(work: Promise<unknown>, waiters: number): Promise<boolean> {
    let settled = false;
    void work.then(
      () => (settled = true),
      () => (settled = true),
    );
    const deadline = Date.now() + 5000;
    while (!settled && Date.now() < deadline && engine.name === 'postgres') {
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      if (rows[0]!.n >= waiters) break;
      await sleep(20);
    }
    await sleep(engine.name === 'postgres' ? 50 : 200);
    return !settled;
  }

  it('the login first: the LogoutRequest waits for its commit, and its search finds the session', async () => {
    const p = person();
    let refused: boolean | undefined;
    // The login has asked (nothing recorded yet) and is about to make its session.
    const login = await holding(db, async (tx) => (refused = await subjects.loggedOutAtIdp(realm, 'idp', p.login, tx)));
    const ending = logout(p);
    const waitedForLogin = await heldOff(ending, 1);
    await login.release((tx) => makeSession(tx, p));
    expect({ refused, waitedForLogin, ended: await ending }).toEqual({ refused: false, waitedForLogin: true, ended: [p.ssoSessionId] });
  });

  it('the LogoutRequest first: the login waits for its commit, and is refused; no session is made', async () => {
    const p = person();
    // Holds the LogoutRequest between the start of its recording and its commit: its INSERT waits for this.
    const blocker = await holding(db, (tx) => tx.query('LOCK TABLE saml_idp_logouts IN EXCLUSIVE MODE'));
    const ending = logout(p);
    const loggingOut = await heldOff(ending, 1);
    const login = db.transaction(async (tx) => {
      const covered = await subjects.loggedOutAtIdp(realm, 'idp', p.login, tx);
      if (!covered) await makeSession(tx, p);
      return covered;
    });
    const waitedForLogout = await heldOff(login, 2);
    await blocker.release();
    expect({ loggingOut, waitedForLogout, refused: await login, ended: await ending }).toEqual({
      loggingOut: true,
      waitedForLogout: true,
      refused: true,
      ended: [],
    });
    expect(await ssoSessions.find(p.ssoSessionId)).toBeUndefined();
  });

  // PGlite holds every other transaction off while one runs; PostgreSQL only this person's.
  if (engine.name === 'postgres') {
    it('a LogoutRequest being recorded holds off the logins of its person alone', async () => {
      const p = person();
      const other = person();
      const blocker = await holding(db, (tx) => tx.query('LOCK TABLE saml_idp_logouts IN EXCLUSIVE MODE'));
      const ending = logout(p);
      expect(await heldOff(ending, 1)).toBe(true);
      const otherLogin = db.transaction((tx) => subjects.loggedOutAtIdp(realm, 'idp', other.login, tx));
      expect(await heldOff(otherLogin, 2)).toBe(false);
      await blocker.release();
      expect({ otherRefused: await otherLogin, ended: await ending }).toEqual({ otherRefused: false, ended: [] });
    });
  }
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
