import { atMostPairs, MAX_FORM_PAIRS } from './request-bodies.js';

const form = (pairs: number) => Buffer.from(Array.from({ length: pairs }, (_, i) => `p${i}=v`).join('&'));

describe('atMostPairs', () => {
  it('counts the pairs of a form by its separators', () => {
    expect(atMostPairs(Buffer.from(''), 1)).toBe(true);
    expect(atMostPairs(Buffer.from('a=1'), 1)).toBe(true);
    expect(atMostPairs(Buffer.from('a=1&b=2'), 1)).toBe(false);
    expect(atMostPairs(Buffer.from('a=1&b=2'), 2)).toBe(true);
    expect(atMostPairs(Buffer.from('a=1&'), 1)).toBe(false);
  });

  it('takes a form of exactly the limit and refuses one pair more', () => {
    expect(atMostPairs(form(MAX_FORM_PAIRS), MAX_FORM_PAIRS)).toBe(true);
    expect(atMostPairs(form(MAX_FORM_PAIRS + 1), MAX_FORM_PAIRS)).toBe(false);
    expect(atMostPairs(form(59_000), MAX_FORM_PAIRS)).toBe(false);
  });
});
