import { bearerChallenge } from './bearer-challenge.js';

describe('bearerChallenge (RFC 6750 §3)', () => {
  it('names the protection space, and the error when there is one', () => {
    expect(bearerChallenge('nemlogin')).toBe('Bearer realm="nemlogin"');
    expect(bearerChallenge('nemlogin', 'invalid_token')).toBe('Bearer realm="nemlogin", error="invalid_token"');
  });

  it('keeps the realm a quoted-string, whatever it holds', () => {
    expect(bearerChallenge('x", error="forged')).toBe('Bearer realm="x\\", error=\\"forged"');
    expect(bearerChallenge('a\\b\r\nSet-Cookie: c=1')).toBe('Bearer realm="a\\\\bSet-Cookie: c=1"');
  });
});
