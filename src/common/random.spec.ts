import { isRandomToken, randomToken } from './random.js';

describe('random tokens', () => {
  it('recognises what randomToken produces, of its size', () => {
    for (let i = 0; i < 50; i++) expect(isRandomToken(randomToken())).toBe(true);
    expect(isRandomToken(randomToken(24), 24)).toBe(true);
    expect(isRandomToken(randomToken(24))).toBe(false);
  });

  it.each([
    undefined,
    42,
    '',
    'tx-1',
    'a'.repeat(42),
    'a'.repeat(44),
    `${'a'.repeat(42)}=`,
    `${'a'.repeat(42)}\u0000`,
    `${'a'.repeat(42)}+`,
  ])('refuses %j', (value) => {
    expect(isRandomToken(value)).toBe(false);
  });
});
