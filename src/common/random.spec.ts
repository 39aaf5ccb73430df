import { isRandomToken, randomToken } from './random.js';

describe('random tokens', () => {
  it('recognises what randomToken produces, of its size', () => {
    for (let i = 0; i < 50; i++) expect(isRandomToken(randomToken())).toBe(true);
    expect(isRandomToken(randomToken(24), 24)).toBe(true);
    expect(isRandomToken(randomToken(24))).toBe(false);
  });

  it('never hands out the same bytes twice, across the blocks it draws', () => {
    const tokens = Array.from({ length: 1000 }, () => randomToken()); // 32,000 bytes: several blocks
    expect(new Set(tokens).size).toBe(tokens.length);
    expect(tokens.every((token) => isRandomToken(token))).toBe(true);
    const large = randomToken(8192); // more than a block: drawn on its own
    expect(isRandomToken(large, 8192)).toBe(true);
    expect(new Set(large).size).toBeGreaterThan(32);
  });

  it('refuses a size that is not a positive whole number of bytes, and hands out nothing twice after it', () => {
    const before = randomToken(16);
    for (const size of [0, -8, 1.5, Number.NaN]) expect(() => randomToken(size)).toThrow(RangeError);
    const after = randomToken(16);
    expect(after).not.toBe(before);
    expect(after.startsWith('AAAA')).toBe(false); // not zeroed bytes already handed out
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
