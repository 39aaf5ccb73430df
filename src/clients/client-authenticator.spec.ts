import { TEST_SECRETS, testConfig } from '../../test/support/test-config.js';
import { systemClock } from '../common/clock.js';
import { sha256 } from '../common/constant-time.js';
import type { Config } from '../config/config.schema.js';
import { OAuthError } from '../protocol/oauth-error.js';
import { RealmRegistry } from '../realms/realm.registry.js';
import type { ClientAssertionVerifier } from './client-assertion.verifier.js';
import { ClientAuthenticator } from './client-authenticator.js';
import { ClientRegistry } from './client.registry.js';
import { PreviousSecretUses } from './previous-secret-uses.js';

const config = testConfig('http://127.0.0.1:1');
const realm = new RealmRegistry(config).get('nemlogin');
// claimedClient verifies nothing, so it never reaches the assertion verifier.
const authenticator = new ClientAuthenticator(
  new ClientRegistry(config),
  {} as ClientAssertionVerifier,
  new PreviousSecretUses(),
  systemClock,
);

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

describe('ClientAuthenticator with a previous secret (previousSecret)', () => {
  const PREVIOUS = 'previous-portal-secret-0123456789abcdef';
  const UNTIL = Date.parse('2027-01-31T12:00:00Z');
  let now = UNTIL - 1;
  let uses: PreviousSecretUses;
  let withPrevious: ClientAuthenticator;

  beforeEach(() => {
    const rotating = structuredClone(config) as Config;
    const portal = rotating.realms.find((r) => r.name === 'nemlogin')!.clients.find((c) => c.clientId === 'portal')!;
    portal.previousSecret = { secretSha256: sha256(PREVIOUS).toString('hex'), until: '2027-01-31T12:00:00Z' };
    uses = new PreviousSecretUses();
    withPrevious = new ClientAuthenticator(new ClientRegistry(rotating), {} as ClientAssertionVerifier, uses, { now: () => new Date(now) });
  });

  const presenting = (secret: string) => withPrevious.authenticate(realm, { method: 'client_secret_basic', clientId: 'portal', secret });

  it('accepts the new secret and, until `until`, the previous one, recording when the previous one was used', async () => {
    now = UNTIL - 1;
    await expect(presenting(TEST_SECRETS.portal)).resolves.toMatchObject({ clientId: 'portal' });
    expect(uses.all()).toEqual([]);
    await expect(presenting(PREVIOUS)).resolves.toMatchObject({ clientId: 'portal' });
    expect(uses.all()).toEqual([{ realm: 'nemlogin', clientId: 'portal', at: UNTIL - 1 }]);
  });

  it('refuses the previous secret from `until` on, as any wrong secret, and still takes the new one', async () => {
    now = UNTIL;
    const refusal = await presenting(PREVIOUS).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(OAuthError);
    expect(refusal).toMatchObject({ code: 'invalid_client', reason: 'wrong secret for client "portal"' });
    expect(uses.all()).toEqual([]);
    await expect(presenting(TEST_SECRETS.portal)).resolves.toMatchObject({ clientId: 'portal' });
  });

  it('refuses a secret that is neither, and another client presenting the previous secret', async () => {
    now = UNTIL - 1;
    await expect(presenting('some-other-secret-0123456789abcdef')).rejects.toMatchObject({ code: 'invalid_client' });
    await expect(
      withPrevious.authenticate(realm, { method: 'client_secret_basic', clientId: 'system', secret: PREVIOUS }),
    ).rejects.toMatchObject({ code: 'invalid_client', reason: 'wrong secret for client "system"' });
    expect(uses.all()).toEqual([]);
  });
});
