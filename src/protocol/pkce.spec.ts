import { isWellFormedPkceValue, verifyS256 } from './pkce.js';

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
});
