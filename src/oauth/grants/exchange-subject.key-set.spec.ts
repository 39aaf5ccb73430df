import { errors } from 'jose';
import { isKeySetUnavailable } from './exchange-subject.key-set.js';

describe('isKeySetUnavailable', () => {
  it.each([
    ['a timed-out key set fetch', new errors.JWKSTimeout()],
    ['an answer that is no key set', new errors.JWKSInvalid('no keys')],
    ['a non-200 answer', new errors.JOSEError('Expected 200 OK from the JSON Web Key Set HTTP response')],
    ['an unreachable host', new TypeError('fetch failed')],
  ])('holds for %s', (_name, error) => expect(isKeySetUnavailable(error)).toBe(true));

  it.each([
    ['a bad signature', new errors.JWSSignatureVerificationFailed()],
    ['a key id the key set does not hold', new errors.JWKSNoMatchingKey()],
    ['an expired token', new errors.JWTExpired('expired', {})],
    ['an algorithm not allowed', new errors.JOSEAlgNotAllowed('alg')],
    ['an issuer not trusted', new Error('issuer not trusted')],
  ])('does not hold for %s', (_name, error) => expect(isKeySetUnavailable(error)).toBe(false));
});
