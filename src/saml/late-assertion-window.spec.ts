import { lateAssertionWindowEnd } from './late-assertion-window.js';

const T0 = new Date('2030-01-01T12:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

describe('until when a LogoutRequest applies to a late assertion (SAML Core §3.7.3.2)', () => {
  it('its NotOnOrAfter, with the clock skew, when that comes first', () => {
    expect(lateAssertionWindowEnd({ issuedAt: T0, notOnOrAfter: at(120) }, 1800, 60)).toEqual(at(180));
  });

  it('without NotOnOrAfter: until the last AuthnRequest recorded before it could no longer be answered', () => {
    expect(lateAssertionWindowEnd({ issuedAt: T0 }, 1800, 60)).toEqual(at(60 + 1800));
  });

  it('a NotOnOrAfter far away does not keep it longer than that', () => {
    expect(lateAssertionWindowEnd({ issuedAt: T0, notOnOrAfter: at(10 * 365 * 86400) }, 1800, 60)).toEqual(at(1860));
  });
});
