import { isWellFormedPkceValue, isWellFormedS256Challenge, verifyS256 } from './pkce.js';

describe('PKCE S256', () => {
  // RFC 7636 Appendix B.
  const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
  const challenge = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

  it('accepts the RFC 7636 Appendix B example', () => {
    expect(verifyS256(verifier, challenge)).toBe(true);
  });

  it('refuses another verifier, a malformed one, and the challenge itself (plain)', () => {
    expect(verifyS256(`${verifier.slice(0, -1)}Y`, challenge)).toBe(false);
    expect(verifyS256('short', challenge)).toBe(false);
    expect(verifyS256(challenge, challenge)).toBe(false);
  });

  it('checks the length and character set', () => {
    expect(isWellFormedPkceValue('a'.repeat(43))).toBe(true);
    expect(isWellFormedPkceValue('a'.repeat(42))).toBe(false);
    expect(isWellFormedPkceValue('a'.repeat(129))).toBe(false);
    expect(isWellFormedPkceValue(`${'a'.repeat(42)}/`)).toBe(false);
  });

  it('takes as an S256 challenge only what a SHA-256 digest in base64url can be: 43 characters', () => {
    expect(isWellFormedS256Challenge(challenge)).toBe(true);
    for (const malformed of ['a'.repeat(42), 'a'.repeat(44), 'a'.repeat(128), '~'.repeat(43), `${'a'.repeat(42)}.`, `${'a'.repeat(42)}=`])
      expect(isWellFormedS256Challenge(malformed)).toBe(false);
  });
});
