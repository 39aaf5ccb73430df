import { restartedServerForSuite } from '../support/restarted-server.js';
import { TEST_SECRETS } from '../support/test-config.js';
import { basic, postForm } from '../support/token-requests.js';

/**
 * One instance started with another `keys.encryptionKey` than the database's keys were stored with
 * (a typo in a deployment) must change nothing: had it installed a key for a new realm, algorithm or
 * key file, sealed under its key, every correctly configured instance would fail to sign and to start.
 */
describe('a start with another keys.encryptionKey', () => {
  const suite = restartedServerForSuite();
  const kids = async () => (await suite.db.query<{ kid: string }>('SELECT kid FROM signing_keys ORDER BY kid')).rows.map((row) => row.kid);

  it('is refused before anything is written, naming the key; the right key then starts and signs as before', async () => {
    await suite.start();
    const stored = await kids();
    await suite.stop();

    const wrongKey = suite.start((raw) => {
      raw.keys.encryptionKey = 'another-encryption-key-of-at-least-32-characters';
      // A realm it would have given a key to.
      raw.realms.push({ name: 'added', clients: [] });
    });
    await expect(wrongKey).rejects.toThrow('keys.encryptionKey: does not decrypt the signing keys stored in this database');
    expect(await kids()).toEqual(stored);

    const server = await suite.start();
    const grant = await postForm(
      `${server.baseUrl}/realms/nemlogin/protocol/openid-connect/token`,
      new URLSearchParams({ grant_type: 'client_credentials' }),
      { authorization: basic('system', TEST_SECRETS.system) },
    );
    expect(grant.status).toBe(200);
  });
});
