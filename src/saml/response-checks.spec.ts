import { checkAssertion, instant, ResponseCheckError, type Expectations } from './response-checks.js';
import type { AssertionData, ResponseEnvelope } from './worker/saml-worker.mjs';

const NOW = new Date('2031-01-01T12:00:00Z');
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000).toISOString();
const ACS = 'https://sp.test/realms/r/broker/idp/endpoint';
const expected: Expectations = {
  acsUrl: ACS,
  spEntityId: 'https://sp.test/realms/r',
  idpEntityId: 'https://idp.test',
  skewSeconds: 60,
  maxAuthenticationAgeSeconds: 7200,
};

function envelope(patch: Partial<ResponseEnvelope> = {}): ResponseEnvelope {
  return {
    id: '_r',
    destination: ACS,
    inResponseTo: '_req',
    issuer: 'https://idp.test',
    status: { code: 'urn:oasis:names:tc:SAML:2.0:status:Success' },
    signed: true,
    encrypted: false,
    assertionCount: 1,
    assertionInPlace: true,
    ...patch,
  };
}

function assertion(patch: Partial<AssertionData> = {}): AssertionData {
  return {
    id: '_a',
    issueInstant: at(0),
    issuer: 'https://idp.test',
    nameId: { value: 'n' },
    subjectConfirmations: [{ bearer: true, recipient: ACS, inResponseTo: '_req', notOnOrAfter: at(300) }],
    conditionsCount: 1,
    conditions: { notBefore: at(-5), notOnOrAfter: at(300), audienceRestrictions: [['https://sp.test/realms/r']] },
    authnStatements: [{ authnInstant: at(0), sessionIndex: '_s', sessionNotOnOrAfter: at(3600) }],
    attributes: [],
    ...patch,
  };
}

const check =
  (e: ResponseEnvelope, a: AssertionData, now = NOW) =>
  () =>
    checkAssertion(e, a, expected, now);

describe('response checks (injected clock, bounded skew)', () => {
  it('accepts a well-formed response and reports the session and replay window', () => {
    expect(checkAssertion(envelope(), assertion(), expected, NOW)).toEqual({
      inResponseTo: '_req',
      replayExpiresAt: new Date(at(360)),
      issuedAt: NOW,
      authnInstant: NOW,
      sessionIndex: '_s',
      sessionNotOnOrAfter: new Date(at(3600)),
    });
  });

  it.each<[string, Partial<ResponseEnvelope>, string]>([
    ['no Destination', { destination: undefined }, 'Destination missing'],
    ['another Destination', { destination: 'https://sp.test/other' }, 'Destination is not this ACS'],
    ['another Response Issuer', { issuer: 'https://evil.test' }, 'Response Issuer'],
    ['no Issuer on a signed Response', { issuer: undefined, signed: true }, 'Response Issuer'],
    ['no Issuer with an encrypted assertion', { issuer: undefined, signed: false, encrypted: true }, 'Response Issuer'],
    ['no InResponseTo', { inResponseTo: undefined }, 'unsolicited'],
  ])('envelope: refuses %s', (_what, patch, reason) => {
    expect(check(envelope(patch), assertion())).toThrow(reason);
  });

  it('envelope: an unsigned, unencrypted Response may omit Issuer', () => {
    expect(check(envelope({ issuer: undefined, signed: false }), assertion())).not.toThrow();
  });

  it.each<[string, Partial<AssertionData>, string]>([
    ['another Issuer', { issuer: 'https://evil.test' }, 'Assertion Issuer'],
    ['no IssueInstant', { issueInstant: undefined }, 'IssueInstant'],
    ['IssueInstant beyond the skew', { issueInstant: at(61) }, 'issued in the future'],
    [
      'no bearer confirmation',
      { subjectConfirmations: [{ bearer: false, recipient: ACS, inResponseTo: '_req', notOnOrAfter: at(300) }] },
      'no bearer',
    ],
    [
      'another Recipient',
      { subjectConfirmations: [{ bearer: true, recipient: 'https://x', inResponseTo: '_req', notOnOrAfter: at(300) }] },
      'Recipient',
    ],
    [
      'another InResponseTo',
      { subjectConfirmations: [{ bearer: true, recipient: ACS, inResponseTo: '_x', notOnOrAfter: at(300) }] },
      'InResponseTo does not match',
    ],
    [
      'no confirmation NotOnOrAfter',
      { subjectConfirmations: [{ bearer: true, recipient: ACS, inResponseTo: '_req' }] },
      'NotOnOrAfter missing',
    ],
    [
      'a confirmation NotBefore beyond the skew',
      { subjectConfirmations: [{ bearer: true, recipient: ACS, inResponseTo: '_req', notBefore: at(61), notOnOrAfter: at(300) }] },
      'not yet valid',
    ],
    ['no Conditions', { conditionsCount: 0, conditions: undefined }, 'Conditions missing'],
    ['two Conditions', { conditionsCount: 2 }, 'Conditions missing or repeated'],
    [
      'Conditions NotBefore beyond the skew',
      { conditions: { notBefore: at(61), notOnOrAfter: at(300), audienceRestrictions: [['https://sp.test/realms/r']] } },
      'not yet valid',
    ],
    ['no AudienceRestriction', { conditions: { notOnOrAfter: at(300), audienceRestrictions: [] } }, 'AudienceRestriction missing'],
    [
      'another audience',
      { conditions: { notOnOrAfter: at(300), audienceRestrictions: [['https://other.test']] } },
      'Audience is not this SP',
    ],
    [
      'a second restriction without us',
      { conditions: { notOnOrAfter: at(300), audienceRestrictions: [['https://sp.test/realms/r'], ['https://other.test']] } },
      'Audience is not this SP',
    ],
    ['no AuthnStatement', { authnStatements: [] }, 'AuthnStatement missing'],
    ['no AuthnInstant', { authnStatements: [{ sessionIndex: '_s' }] }, 'AuthnInstant'],
    ['AuthnInstant beyond the skew', { authnStatements: [{ authnInstant: at(61) }] }, 'AuthnInstant in the future'],
    ['a time with an offset', { issueInstant: '2031-01-01T13:00:00+01:00' }, 'not a UTC dateTime'],
  ])('assertion: refuses %s', (_what, patch, reason) => {
    expect(check(envelope(), assertion(patch))).toThrow(ResponseCheckError);
    expect(check(envelope(), assertion(patch))).toThrow(reason);
  });

  it('accepts any one satisfying bearer confirmation among several (SAML Profiles §4.1.4.3)', () => {
    const confirmations = [
      { bearer: true, recipient: 'https://elsewhere', inResponseTo: '_req', notOnOrAfter: at(300) },
      { bearer: true, recipient: ACS, inResponseTo: '_req', notOnOrAfter: at(120) },
    ];
    expect(checkAssertion(envelope(), assertion({ subjectConfirmations: confirmations }), expected, NOW).replayExpiresAt).toEqual(
      new Date(at(180)),
    );
  });

  it('applies the skew to both ends of every window, and no more', () => {
    const a = assertion();
    expect(check(envelope(), a, new Date(at(359)))).not.toThrow();
    expect(check(envelope(), a, new Date(at(360)))).toThrow('SubjectConfirmationData expired');
    const longerSubject = assertion({
      subjectConfirmations: [{ bearer: true, recipient: ACS, inResponseTo: '_req', notOnOrAfter: at(900) }],
    });
    expect(check(envelope(), longerSubject, new Date(at(360)))).toThrow('assertion expired');
    expect(check(envelope(), assertion({ issueInstant: at(60) }))).not.toThrow();
  });

  it('refuses an IdP session already over, and takes the earliest SessionNotOnOrAfter', () => {
    const over = assertion({ authnStatements: [{ authnInstant: at(-100), sessionNotOnOrAfter: at(-61) }] });
    expect(check(envelope(), over)).toThrow('SessionNotOnOrAfter');
    // No skew here: the instant becomes our session's maximum as it stands, so a session ending at or
    // before now would be over before its code is redeemed.
    for (const end of [-30, -1, 0]) {
      const ended = assertion({ authnStatements: [{ authnInstant: at(-100), sessionNotOnOrAfter: at(end) }] });
      expect(check(envelope(), ended)).toThrow('SessionNotOnOrAfter');
    }
    const endingSoon = assertion({ authnStatements: [{ authnInstant: at(-100), sessionNotOnOrAfter: at(1) }] });
    expect(checkAssertion(envelope(), endingSoon, expected, NOW).sessionNotOnOrAfter).toEqual(new Date(at(1)));
    const two = assertion({
      authnStatements: [
        { authnInstant: at(0), sessionNotOnOrAfter: at(900) },
        { authnInstant: at(0), sessionNotOnOrAfter: at(600) },
      ],
    });
    expect(checkAssertion(envelope(), two, expected, NOW).sessionNotOnOrAfter).toEqual(new Date(at(600)));
  });

  it('refuses a stale authentication: an AuthnInstant older than the maximum authentication age plus the skew', () => {
    const authnAt = (seconds: number) => assertion({ authnStatements: [{ authnInstant: at(seconds), sessionIndex: '_s' }] });
    const threeYears = 3 * 365 * 24 * 3600;
    expect(check(envelope(), authnAt(-threeYears))).toThrow('AuthnInstant older than the maximum authentication age');
    expect(check(envelope(), authnAt(-7200 - 61))).toThrow('AuthnInstant older than the maximum authentication age');
    expect(check(envelope(), authnAt(-7200 - 60))).not.toThrow();
    expect(checkAssertion(envelope(), authnAt(-3600), expected, NOW).authnInstant).toEqual(new Date(at(-3600)));
    expect(() => checkAssertion(envelope(), authnAt(-3600), { ...expected, maxAuthenticationAgeSeconds: 600 }, NOW)).toThrow(
      'maximum authentication age',
    );
  });

  it('reads SAML instants as UTC, with or without Z and fractions', () => {
    expect(instant('2031-01-01T12:00:00Z', 'x')).toEqual(NOW);
    expect(instant('2031-01-01T12:00:00', 'x')).toEqual(NOW);
    expect(instant('2031-01-01T12:00:00.123456Z', 'x').getTime()).toBe(NOW.getTime() + 123);
    expect(() => instant('yesterday', 'x')).toThrow('x missing or not a UTC dateTime');
  });
});
