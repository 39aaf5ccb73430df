import { testConfig } from '../../test/support/test-config.js';
import { RealmRegistry } from '../realms/realm.registry.js';
import type { ClientAssertionVerifier } from './client-assertion.verifier.js';
import { ClientAuthenticator } from './client-authenticator.js';
import { ClientRegistry } from './client.registry.js';

const config = testConfig('http://127.0.0.1:1');
const realm = new RealmRegistry(config).get('nemlogin');
// claimedClient verifies nothing, so it never reaches the assertion verifier.
const authenticator = new ClientAuthenticator(new ClientRegistry(config), {} as ClientAssertionVerifier);

/** An unsigned JWT with these claims: claimedClient reads `iss` without verifying. */
const assertionFrom = (claims: object) =>
  ['{"alg":"ES256"}', JSON.stringify(claims), 'sig'].map((part) => Buffer.from(part).toString('base64url')).join('.');

describe('ClientAuthenticator.claimedClient (whom a refused authentication concerns)', () => {
  it('is the registered client a secret or a public client names, and nothing for an id nobody registered', () => {
    expect(authenticator.claimedClient(realm, { method: 'client_secret_basic', clientId: 'portal', secret: 'wrong' })?.clientId).toBe(
      'portal',
    );
    expect(authenticator.claimedClient(realm, { method: 'none', clientId: 'patient-app' })?.clientId).toBe('patient-app');
    expect(authenticator.claimedClient(realm, { method: 'client_secret_post', clientId: 'nobody', secret: 'x' })).toBeUndefined();
  });

  it("is the client an assertion's unverified issuer names, unless client_id names one itself", () => {
    const assertion = assertionFrom({ iss: 'portal', sub: 'portal' });
    expect(authenticator.claimedClient(realm, { method: 'private_key_jwt', assertion, clientId: undefined })?.clientId).toBe('portal');
    expect(authenticator.claimedClient(realm, { method: 'private_key_jwt', assertion, clientId: 'system' })?.clientId).toBe('system');
    expect(authenticator.claimedClient(realm, { method: 'private_key_jwt', assertion: 'not-a-jwt', clientId: undefined })).toBeUndefined();
    const numericIssuer = assertionFrom({ iss: 42 });
    expect(
      authenticator.claimedClient(realm, { method: 'private_key_jwt', assertion: numericIssuer, clientId: undefined }),
    ).toBeUndefined();
  });
});
