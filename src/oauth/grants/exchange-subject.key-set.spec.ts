import { errors } from 'jose';
import { KeySetUnavailableError } from '../../protocol/issuer-key-set.js';
import { isKeySetUnavailable } from './exchange-subject.key-set.js';

describe('isKeySetUnavailable', () => {
  it.each([
    ['a timed-out key set fetch', new KeySetUnavailableError(new DOMException('timed out', 'TimeoutError'))],
    ['an answer that is no key set', new KeySetUnavailableError(new errors.JWKSInvalid('no keys'))],
    ['a non-200 answer', new KeySetUnavailableError(new Error('the JWKS answered 500'))],
    ['an unreachable host', new KeySetUnavailableError(new TypeError('fetch failed'))],
  ])('holds for %s', (_name, error) => expect(isKeySetUnavailable(error)).toBe(true));

  it.each([
    ['a bad signature', new errors.JWSSignatureVerificationFailed()],
    ['a key id the key set does not hold', new errors.JWKSNoMatchingKey()],
    ['an expired token', new errors.JWTExpired('expired', {})],
    ['an algorithm not allowed', new errors.JOSEAlgNotAllowed('alg')],
    ['an issuer not trusted', new Error('issuer not trusted')],
    ['a TypeError of anything but the key set', new TypeError('Cannot read properties of undefined')],
  ])('does not hold for %s', (_name, error) => expect(isKeySetUnavailable(error)).toBe(false));
});
