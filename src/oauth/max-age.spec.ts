import { testConfig } from '../../test/support/test-config.js';
import { ClientRegistry } from '../clients/client.registry.js';
import { RealmRegistry } from '../realms/realm.registry.js';
import { checkAuthorizationRequest } from './authorization-request.js';
import { parseMaxAge } from './max-age.js';

const config = testConfig('http://127.0.0.1:1');
const realm = new RealmRegistry(config).get('nemlogin');
const clients = new ClientRegistry(config);

const check = (maxAge?: string) =>
  checkAuthorizationRequest(
    realm,
    clients,
    new Map(
      Object.entries({
        client_id: 'patient-app',
        redirect_uri: 'http://127.0.0.1/callback',
        response_type: 'code',
        state: 's1',
        code_challenge: 'rQzxQVwoF1Ngz36EcYf7vjzrqlKXoh7v7bEt08gkQWM',
        code_challenge_method: 'S256',
        ...(maxAge === undefined ? {} : { max_age: maxAge }),
      }),
    ),
    { fhirBaseUrl: 'http://127.0.0.1:1/fhir' },
  );

describe('max_age (OIDC Core §3.1.2.1)', () => {
  it.each([
    ['0', 0],
    ['300', 300],
    ['0300', 300],
    ['99999999999', 2_147_483_647],
  ])('accepts %s as %d seconds', (value, seconds) => {
    expect(parseMaxAge(value)).toBe(seconds);
    expect(check(value)).toMatchObject({ ok: true, request: { maxAge: seconds } });
  });

  it('is absent when not sent', () => {
    expect(parseMaxAge(undefined)).toBeUndefined();
    expect(check()).toMatchObject({ ok: true, request: { maxAge: undefined } });
  });

  it.each(['-1', '1.5', '1e3', ' 30', '30 ', '+30', '0x10', 'abc', '1'.repeat(13)])(
    'refuses %j with invalid_request to the client',
    (value) => {
      expect(parseMaxAge(value)).toBeNull();
      expect(check(value)).toMatchObject({
        ok: false,
        page: false,
        error: 'invalid_request',
        state: 's1',
        reason: expect.stringContaining('max_age'),
      });
    },
  );
});
