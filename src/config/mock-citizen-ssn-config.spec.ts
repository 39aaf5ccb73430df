import { configProblems as problemsOf } from '../../test/support/config-problems.js';

const CPR = 'urn:oid:1.2.208.176.1.2';
const BSN = 'http://fhir.nl/fhir/NamingSystem/bsn';
const OTHER = 'urn:oid:2.16.578.1.12.4.1.4.1';

const withCitizen = (patientIdentifierSystem: string, ssn: string, realm: Record<string, unknown> = {}) => ({
  environment: 'test',
  publicUrl: 'https://auth.example',
  keys: { encryptionKey: 'x'.repeat(32) },
  realms: [{ name: 'r', patientIdentifierSystem, mockUsers: [{ username: 'c', kind: 'citizen', ssn }], ...realm }],
});

/** A realm whose citizens log in by NemLog-in, which sends ten digits whatever system the realm files them under. */
const nemLogIn = {
  serviceProvider: { signingKey: 'k', signingCertificate: 'c' },
  identityProviders: [
    { alias: 'nemlog-in', profile: 'oiosaml3-citizen', entityId: 'urn:idp', ssoUrl: 'https://idp.example/sso', signingCertificates: ['c'] },
  ],
};

/**
 * A mocked citizen's `ssn` is held to the shape the realm's IdP profile holds the real one to
 * (oiosaml3-citizen: ten digits; nl-citizen: a BSN passing the eleven-test). A malformed one would
 * link no patient without saying why, and travel in a `cpr` or `bsn` claim to a GP system.
 */
describe('config: a mocked citizen’s ssn', () => {
  it('takes a CPR number in a CPR realm, a BSN in a BSN realm, and any value of another system', () => {
    expect(problemsOf(withCitizen(CPR, '0101011234'))).toEqual([]);
    expect(problemsOf(withCitizen(BSN, '999911120'))).toEqual([]);
    expect(problemsOf(withCitizen(OTHER, '12345678901'))).toEqual([]);
  });

  it('refuses a CPR number in any other form, naming the key', () => {
    for (const ssn of ['010101-1234', ' 0101011234', '101011234', '01010112345', '٠١٠١٠١١٢٣٤']) {
      expect(problemsOf(withCitizen(CPR, ssn))).toEqual([
        'realms[0].mockUsers[0].ssn: must be a CPR number (ten digits without a separator), as NemLog-in sends it',
      ]);
    }
  });

  it('holds a realm with a NemLog-in IdP to ten digits under another system too', () => {
    expect(problemsOf(withCitizen(OTHER, '0101011234', nemLogIn))).toEqual([]);
    expect(problemsOf(withCitizen(OTHER, '010101-1234', nemLogIn))).toEqual([
      'realms[0].mockUsers[0].ssn: must be a CPR number (ten digits without a separator), as NemLog-in sends it',
    ]);
  });

  it('refuses a BSN failing the eleven-test or of another length, naming the key', () => {
    for (const ssn of ['111222334', '0303031234', '9999.11.120', '000000000']) {
      expect(problemsOf(withCitizen(BSN, ssn))).toEqual([
        'realms[0].mockUsers[0].ssn: must be a BSN (nine digits passing the eleven-test), as DigiD sends it',
      ]);
    }
  });
});
