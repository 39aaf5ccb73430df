import type { Config } from '../config/config.schema.js';
import { engines } from '../../test/support/database-engines.js';
import { migratedScratch } from '../../test/support/migrated-scratch.js';
import type { Database } from './database.js';
import { SamlRequestRepository, type PendingSamlRequest } from './saml-request.repository.js';

const T0 = new Date('2030-01-01T12:00:00.000Z');
const CEILING = 3;

/**
 * The README's promise "pending logins are capped in the database (`limits.pendingLogins`, the oldest
 * go first)" covers the AuthnRequest each login sent to a SAML IdP leaves behind, which lives three
 * times as long as the login. Each test has a realm of its own, so counts are its own.
 */
describe.each(engines)('pending SAML requests under the pendingLogins ceiling on $name', (engine) => {
  const storage = migratedScratch(engine);
  let db: Database;
  let requests: SamlRequestRepository;
  let n = 0;

  beforeAll(() => {
    db = storage.db;
    requests = new SamlRequestRepository(db, { limits: { pendingLogins: CEILING } } as Config);
  });

  /** An AuthnRequest of a login of its own (a LogoutRequest with `returnTo`), live for 30 minutes. */
  async function send(realm: string, change: Partial<PendingSamlRequest> = {}): Promise<PendingSamlRequest> {
    n++;
    const request = {
      requestId: `_req-${n}`,
      realm,
      idpAlias: 'idp',
      relayState: `login-${n}`,
      createdAt: T0,
      expiresAt: new Date(T0.getTime() + 1800_000),
      ...change,
    };
    await requests.record(request);
    return request;
  }

  const pending = async (realm: string, kind: 'authn' | 'logout' = 'authn') =>
    Number(
      (await db.query<{ n: string }>('SELECT count(*) AS n FROM saml_pending_requests WHERE realm = $1 AND kind = $2', [realm, kind]))
        .rows[0]!.n,
    );

  it('keeps at most limits.pendingLogins AuthnRequests, dropping the oldest first; the newest are still answerable', async () => {
    const sent: PendingSamlRequest[] = [];
    for (let i = 0; i < 2 * CEILING + 1; i++) sent.push(await send('capped'));

    expect(await pending('capped')).toBe(CEILING);
    const taken = await Promise.all(sent.map((r) => requests.take(r.requestId, r.realm, r.idpAlias, T0)));
    expect(taken).toEqual(sent.map((r, i) => (i < sent.length - CEILING ? undefined : r.relayState)));
  });

  it('a login continued again and again keeps one AuthnRequest per IdP, within the ceiling', async () => {
    const login = { relayState: 'one-login' };
    for (let i = 0; i < 2 * CEILING; i++) await send('continued', login);

    expect(await pending('continued')).toBe(1);
  });

  it('never drops a pending LogoutRequest, however many AuthnRequests follow it', async () => {
    const logout = await send('logout', { returnTo: '' });
    for (let i = 0; i < 2 * CEILING; i++) await send('logout');

    expect(await pending('logout', 'logout')).toBe(1);
    expect(await pending('logout')).toBe(CEILING);
    expect(await requests.takeLogout(logout.requestId, logout.realm, logout.idpAlias, T0)).toEqual({
      relayState: logout.relayState,
      returnTo: '',
    });
  });
});
