import { authenticatedRecentlyEnough } from './authentication-age.js';

const REQUESTED = new Date('2031-01-01T12:00:00Z');
const at = (seconds: number) => new Date(REQUESTED.getTime() + seconds * 1000);

describe('max_age against the time of authentication', () => {
  it('accepts an authentication made after the request, whatever max_age', () => {
    expect(authenticatedRecentlyEnough(at(30), REQUESTED, 0)).toBe(true);
    expect(authenticatedRecentlyEnough(at(600), REQUESTED, 5)).toBe(true);
  });

  it('accepts one up to max_age before the request, plus the IdP clock skew, and no older', () => {
    expect(authenticatedRecentlyEnough(at(-300 - 60), REQUESTED, 300)).toBe(true);
    expect(authenticatedRecentlyEnough(at(-300 - 61), REQUESTED, 300)).toBe(false);
    expect(authenticatedRecentlyEnough(at(-61), REQUESTED, 0)).toBe(false);
    expect(authenticatedRecentlyEnough(at(-3 * 365 * 86400), REQUESTED, 86400)).toBe(false);
  });
});
