import { accessTokenHash } from './token-hash.js';

describe('accessTokenHash', () => {
  it('is the left half of SHA-256 for ES256 (OIDC Core §3.1.3.6)', () => {
    // Left 128 bits of SHA-256("abc"), base64url.
    expect(accessTokenHash('abc', 'ES256')).toBe('ungWv48Bz-pBQUDeXa4iIw');
  });

  it('uses SHA-512 for EdDSA', () => {
    expect(Buffer.from(accessTokenHash('abc', 'EdDSA'), 'base64url')).toHaveLength(32);
  });
});
