import { checkLogoutMessage, MAX_LOGOUT_MESSAGE_AGE_SECONDS } from './logout-checks.js';
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

  it('tolerates the skew on both ends', () => {
    expect(() => checkLogoutMessage(request({ issueInstant: at(59) }), expected, NOW)).not.toThrow();
    expect(() => checkLogoutMessage(request({ notOnOrAfter: at(-59) }), expected, NOW)).not.toThrow();
  });
});
