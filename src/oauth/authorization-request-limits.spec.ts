import { AUTHORIZATION_PARAMETER_MAX_LENGTH, unacceptableParameter } from './authorization-request-limits.js';

describe('unacceptableParameter', () => {
  const params = (entries: Record<string, string | string[]>) => new Map(Object.entries(entries));

  it('accepts every bounded parameter at its maximum length, and leaves unknown ones alone', () => {
    const atMax = Object.fromEntries(Object.entries(AUTHORIZATION_PARAMETER_MAX_LENGTH).map(([name, max]) => [name, 'x'.repeat(max)]));
    expect(unacceptableParameter(params({ ...atMax, login_hint: 'y'.repeat(100_000) }))).toBeUndefined();
  });

  it('names each bounded parameter one character longer, or holding a control character', () => {
    for (const [name, max] of Object.entries(AUTHORIZATION_PARAMETER_MAX_LENGTH)) {
      expect(unacceptableParameter(params({ [name]: 'x'.repeat(max + 1) }))).toBe(name);
      for (const control of ['\u0000', '\n', '\u007f', '\u0085'])
        expect(unacceptableParameter(params({ [name]: `a${control}b` }))).toBe(name);
    }
  });

  it('names the client and its redirect URI first, and leaves repeated parameters to the repetition check', () => {
    expect(unacceptableParameter(params({ state: '\u0000', client_id: 'c'.repeat(257) }))).toBe('client_id');
    expect(unacceptableParameter(params({ state: ['\u0000', 'x'] }))).toBeUndefined();
    expect(unacceptableParameter(params({ state: 'ünïcødé is fine' }))).toBeUndefined();
  });
});
