import { checkLogoutMessage, LogoutTimeWindowError, MAX_LOGOUT_MESSAGE_AGE_SECONDS } from './logout-checks.js';
import type { LogoutRequestData } from './worker/saml-worker.mjs';

const NOW = new Date('2031-03-14T09:26:53Z');
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000).toISOString();
const expected = { endpointUrl: 'https://sp.test/realms/r/broker/idp/endpoint', idpEntityId: 'https://idp.test', skewSeconds: 60 };

function request(overrides: Partial<LogoutRequestData> = {}): LogoutRequestData {
  return {
    kind: 'request',
    id: '_r1',
    issuer: expected.idpEntityId,
    destination: expected.endpointUrl,
    issueInstant: at(0),
    nameId: { value: 'n' },
    sessionIndexes: [],
    ...overrides,
  };
}

describe('checks on a logout message', () => {
  it('accepts a fresh message from the IdP to this endpoint; its replay entry lasts until it would be too old', () => {
    expect(checkLogoutMessage(request(), expected, NOW)).toEqual(new Date(NOW.getTime() + (MAX_LOGOUT_MESSAGE_AGE_SECONDS + 60) * 1000));
  });

  it('keeps a replay entry only until NotOnOrAfter (plus skew) when that is sooner', () => {
    expect(checkLogoutMessage(request({ notOnOrAfter: at(30) }), expected, NOW)).toEqual(new Date(NOW.getTime() + 90_000));
  });

  it.each([
    ['another Issuer', { issuer: 'https://other-idp.test' }, 'Issuer is not the configured IdP'],
    ['no Issuer', { issuer: undefined }, 'Issuer missing'],
    ['another Destination', { destination: 'https://evil.test/slo' }, 'Destination is not this endpoint'],
    ['no Destination', { destination: undefined }, 'Destination missing'],
    ['an IssueInstant in the future', { issueInstant: at(61) }, 'issued in the future'],
    ['an old IssueInstant', { issueInstant: at(-MAX_LOGOUT_MESSAGE_AGE_SECONDS - 60) }, 'too old'],
    ['no IssueInstant', { issueInstant: undefined }, 'IssueInstant missing'],
    ['a passed NotOnOrAfter', { notOnOrAfter: at(-60) }, 'expired (NotOnOrAfter)'],
    ['a NotOnOrAfter with an offset', { notOnOrAfter: '2031-03-14T10:26:53+01:00' }, 'NotOnOrAfter missing or not a UTC dateTime'],
  ] as const)('refuses %s', (_name, overrides, reason) => {
    expect(() => checkLogoutMessage(request(overrides), expected, NOW)).toThrow(reason);
  });

  /**
   * A genuine message outside its time window is answered (SingleLogoutService), one for another SP
   * or from another issuer never: the time-window refusals alone are LogoutTimeWindowError.
   */
  it.each([
    ['issued in the future', { issueInstant: at(61) }, true],
    ['too old', { issueInstant: at(-MAX_LOGOUT_MESSAGE_AGE_SECONDS - 60) }, true],
    ['past NotOnOrAfter', { notOnOrAfter: at(-60) }, true],
    ['for another Destination, and too old', { destination: 'https://evil.test/slo', issueInstant: at(-3600) }, false],
    ['from another Issuer, and too old', { issuer: 'https://other-idp.test', issueInstant: at(-3600) }, false],
    ['without IssueInstant', { issueInstant: undefined }, false],
  ] as const)('tells a time-window refusal (%s) from the others: %s', (_name, overrides, window) => {
    let thrown: unknown;
    try {
      checkLogoutMessage(request(overrides), expected, NOW);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect(thrown instanceof LogoutTimeWindowError).toBe(window);
  });

  it('tolerates the skew on both ends', () => {
    expect(() => checkLogoutMessage(request({ issueInstant: at(59) }), expected, NOW)).not.toThrow();
    expect(() => checkLogoutMessage(request({ notOnOrAfter: at(-59) }), expected, NOW)).not.toThrow();
  });
});
