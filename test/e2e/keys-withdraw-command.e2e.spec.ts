import { decodeProtectedHeader } from 'jose';
import { withdrawFromCommandLine } from '../../src/cli/keys-withdraw.js';
import { clientToken } from '../support/admin-api.js';
import { restartedServerForSuite } from '../support/restarted-server.js';
import { TEST_SECRETS } from '../support/test-config.js';
import type { TestServer } from '../support/test-server.js';
import { basic, postForm } from '../support/token-requests.js';

/**
 * `npm run keys:withdraw -- REALM KID` on the database of a stopped service (embedded PGlite, which one
 * process holds at a time): the service started again on it publishes no such key, verifies nothing
 * it signed, and signs with the key the command made.
 */
describe('keys:withdraw on a stopped service’s database', () => {
  const h = restartedServerForSuite();
  const systemToken = (s: TestServer) => clientToken(s.baseUrl, 'nemlogin', 'system', TEST_SECRETS.system);
  const kidOf = (token: string) => decodeProtectedHeader(token).kid;
  const jwksKids = async (s: TestServer) =>
    ((await (await fetch(`${s.baseUrl}/realms/nemlogin/protocol/openid-connect/certs`)).json()) as { keys: { kid: string }[] }).keys.map(
      (key) => key.kid,
    );
  const introspect = async (s: TestServer, token: string) =>
    (
      await postForm(`${s.baseUrl}/realms/nemlogin/protocol/openid-connect/token/introspect`, new URLSearchParams({ token }), {
        authorization: basic('system', TEST_SECRETS.system),
      })
    ).body;

  it('the restarted service publishes the key no more, refuses its tokens, and signs with the new key', async () => {
    const first = await h.start();
    const token = await systemToken(first);
    const leaked = kidOf(token) as string;
    expect(await introspect(first, token)).toMatchObject({ active: true });
    const config = first.config;
    await h.stop();

    const withdrawal = await withdrawFromCommandLine({ config, db: h.db }, 'nemlogin', leaked);
    expect(withdrawal).toMatchObject({ kid: leaked, alreadyWithdrawn: false, installed: expect.any(String) });

    const again = await h.start();
    expect(await jwksKids(again)).toEqual([withdrawal.installed]);
    expect(await introspect(again, token)).toEqual({ active: false });
    const fresh = await systemToken(again);
    expect(kidOf(fresh)).toBe(withdrawal.installed);
    expect(await introspect(again, fresh)).toMatchObject({ active: true });
  });
});
