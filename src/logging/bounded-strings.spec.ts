import { boundLongString, MAX_LOGGED_STRING } from './bounded-strings.js';
import { mapLoggedFields } from './logged-fields.js';

/** The bounding step of the logger's one walk over a line's fields (logger.ts). */
const boundLongStrings = (line: Record<string, unknown>) => mapLoggedFields(line, boundLongString);

describe('boundLongStrings', () => {
  const long = 'x'.repeat(200_000);

  it('cuts a long string at the top and one level down, noting its length, on a copy', () => {
    const logged = { reason: `parameter ${long} repeated`, client: 'portal', nested: { clientId: long, ok: 'short' } };
    const bounded = boundLongStrings(logged);
    expect((bounded.reason as string).length).toBeLessThan(MAX_LOGGED_STRING + 40);
    expect(bounded.reason).toMatch(/^parameter x+… \(200019 characters\)$/);
    expect(bounded.client).toBe('portal');
    expect(bounded.nested).toEqual({ clientId: expect.stringMatching(/… \(200000 characters\)$/), ok: 'short' });
    expect(logged.nested.clientId).toBe(long);
  });

  it('passes a line without long strings as it is', () => {
    const line = { realm: 'nemlogin', count: 3, path: 'x'.repeat(MAX_LOGGED_STRING), headers: { host: 'a' } };
    expect(boundLongStrings(line)).toBe(line);
  });
});
