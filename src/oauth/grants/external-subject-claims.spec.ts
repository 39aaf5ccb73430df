import { OAuthError } from '../../protocol/oauth-error.js';
import { externalSubjectClaims } from './external-subject-claims.js';

/** A trusted partner's subject token as the exchange reads it, after its signature and `aud`/`exp` checks. */
const GOOD = {
  iss: 'https://partner.example',
  aud: 'https://auth.example/realms/nemlogin',
  exp: 2_000_000_000,
  sub: 'partner-user-7',
  user_type: 'PATIENT',
  fhirUser: 'https://fhir.partner.example/fhir/Patient/p-1',
  patient: 'p-1',
  context: { patient_id: 'p-1', organization_id: 'org.2' },
  may_act: { client_id: 'portal' },
  scope: 'patient/*.read',
  organisation_agb: '01234567',
  act: { sub: 'partner-portal', client_id: 'partner-portal' },
};

const refusal = (payload: Record<string, unknown>): string => {
  try {
    externalSubjectClaims(payload);
  } catch (error) {
    expect(error).toBeInstanceOf(OAuthError);
    expect((error as OAuthError).code).toBe('invalid_request');
    return (error as OAuthError).reason;
  }
  throw new Error('accepted');
};

/** `depth` actors, each acting for the next. */
const chain = (depth: number): Record<string, unknown> => {
  let act: Record<string, unknown> | undefined;
  for (let i = depth; i > 0; i--) act = { sub: `actor-${i}`, ...(act ? { act } : {}) };
  return act!;
};

describe('the claims of a trusted issuer’s subject token', () => {
  it('takes the claims of the shapes this service’s own tokens have', () => {
    expect(externalSubjectClaims(GOOD)).toMatchObject({
      sub: 'partner-user-7',
      user_type: 'PATIENT',
      patient: 'p-1',
      context: { patient_id: 'p-1', organization_id: 'org.2' },
      act: { sub: 'partner-portal', client_id: 'partner-portal' },
    });
    expect(externalSubjectClaims({ sub: 'only-a-subject', exp: 2_000_000_000 })).toEqual({ sub: 'only-a-subject' });
    expect(externalSubjectClaims({ ...GOOD, fhirUser: 'Practitioner/doc-1' }).fhirUser).toBe('Practitioner/doc-1');
    // Subjects that merely contain digits: a UUID (Keycloak's), an id with a number in it.
    for (const sub of ['5b0e2c1a-1234-4567-8123-456782010101', 'user-123456782', 'urn:uuid:0b5e6f0e-0000-4000-8000-000000000000'])
      expect(externalSubjectClaims({ ...GOOD, sub }).sub).toBe(sub);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['sub a number', { sub: 123 }, 'claim sub malformed'],
    ['sub empty', { sub: '' }, 'claim sub malformed'],
    ['sub of 256 characters', { sub: 'x'.repeat(256) }, 'claim sub malformed'],
    ['sub a BSN', { sub: '123456782' }, 'claim sub is a CPR or BSN; a subject must be pseudonymous'],
    ['sub a CPR behind a prefix', { sub: 'cpr:010101-1234' }, 'claim sub is a CPR or BSN; a subject must be pseudonymous'],
    ['user_type one not issued here', { user_type: 'ADMIN' }, 'claim user_type malformed'],
    ['patient a path', { patient: '../Patient' }, 'claim patient malformed'],
    ['patient an object', { patient: { $ne: 1 } }, 'claim patient malformed'],
    ['fhirUser a script', { fhirUser: 'javascript:alert(1)' }, 'claim fhirUser malformed'],
    ['fhirUser an Organization', { fhirUser: 'Organization/o-1' }, 'claim fhirUser malformed'],
    ['fhirUser naming no id', { fhirUser: 'Patient/..' }, 'claim fhirUser malformed'],
    ['fhirUser with markup in its base', { fhirUser: 'https://h/<svg/onload=alert(1)>/Patient/p-1' }, 'claim fhirUser malformed'],
    ['fhirUser with a query', { fhirUser: 'https://fhir.example/Patient/p-1?x=1' }, 'claim fhirUser malformed'],
    ['fhirUser relative with a path', { fhirUser: 'fhir/Patient/p-1' }, 'claim fhirUser malformed'],
    ['context with a member of its own', { context: { patient_id: 'p-1', role: 'admin' } }, 'claim context malformed'],
    ['context naming a reference, not an id', { context: { care_team_id: 'CareTeam/ct-1' } }, 'claim context malformed'],
    ['may_act a string', { may_act: 'portal' }, 'claim may_act malformed'],
    ['scope a list', { scope: ['patient/*.read'] }, 'claim scope malformed'],
    ['organisation_agb a number', { organisation_agb: 1234567 }, 'claim organisation_agb malformed'],
    ['organisation_agb no AGB code', { organisation_agb: '1234' }, 'claim organisation_agb malformed'],
    [
      'organisation_agb of another naming system',
      { organisation_agb: 'http://fhir.nl/fhir/NamingSystem/ura|01234567' },
      'claim organisation_agb malformed',
    ],
    ['act a string', { act: 'portal' }, 'claim act malformed'],
    ['act without sub', { act: { client_id: 'portal' } }, 'claim act malformed'],
    ['an inner act malformed', { act: { sub: 'a', act: { sub: 7 } } }, 'claim act malformed'],
    ['act nesting nine actors', { act: chain(9) }, 'claim act nests more than 8 actors'],
  ])('refuses %s, naming the claim and not its value', (_, change, message) => {
    expect(refusal({ ...GOOD, ...change })).toBe(`external subject token rejected: ${message}`);
  });

  it('takes organisation_agb in either form the header has, as the bare code its own tokens carry', () => {
    expect(externalSubjectClaims({ ...GOOD, organisation_agb: 'http://fhir.nl/fhir/NamingSystem/agb-z|01234567' }).organisation_agb).toBe(
      '01234567',
    );
    expect(externalSubjectClaims(GOOD).organisation_agb).toBe('01234567');
  });

  it('walks a chain of any depth without a stack, and keeps only each actor’s own members', () => {
    expect(refusal({ ...GOOD, act: chain(100_000) })).toBe('external subject token rejected: claim act nests more than 8 actors');
    const act = { sub: 'a', roles: ['admin'], act: { sub: 'b', client_id: 'c', extra: 1 } };
    expect(externalSubjectClaims({ ...GOOD, act }).act).toEqual({ sub: 'a', act: { sub: 'b', client_id: 'c' } });
    expect(externalSubjectClaims({ ...GOOD, act: chain(8) }).act).toEqual(chain(8));
  });

  it('refuses a CPR or BSN as an actor, as for sub; a FHIR id is an id, whatever its digits', () => {
    const BSN = '999911120';
    const CPR = '0101701234';
    expect(refusal({ ...GOOD, act: { sub: BSN } })).toBe(
      'external subject token rejected: claim act is a CPR or BSN; a subject must be pseudonymous',
    );
    expect(refusal({ ...GOOD, act: { sub: 'ok', act: { sub: 'portal', client_id: CPR } } })).toContain('claim act is a CPR or BSN');
    expect(() => externalSubjectClaims({ ...GOOD, patient: BSN, context: { patient_id: BSN }, fhirUser: `Patient/${BSN}` })).not.toThrow();
  });
});
