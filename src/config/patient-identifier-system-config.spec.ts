import { configProblems as problemsOf } from '../../test/support/config-problems.js';

const CPR = 'urn:oid:1.2.208.176.1.2';
const BSN = 'http://fhir.nl/fhir/NamingSystem/bsn';
const OTHER = 'urn:oid:2.16.578.1.12.4.1.4.1';

const idp = (profile: string) => ({
  alias: profile,
  profile,
  entityId: 'urn:idp',
  ssoUrl: 'https://idp.example/sso',
  signingCertificates: ['c'],
});

const realm = (fields: Record<string, unknown>) => ({
  environment: 'test',
  publicUrl: 'https://auth.example',
  keys: { encryptionKey: 'x'.repeat(32) },
  realms: [{ name: 'r', serviceProvider: { signingKey: 'k', signingCertificate: 'c' }, ...fields }],
});

const xis = (nationalIdentifier: boolean) => ({
  clientId: 'xis',
  type: 'confidential',
  secret: 's3cret',
  grantTypes: ['client_credentials'],
  nationalIdentifier,
});

/**
 * `patientIdentifierSystem` is the system NemLog-in (oiosaml3-citizen) and mocked citizens are
 * searched by, while the nl-citizen profile always uses the BSN's (saml/profiles/). The claim a
 * national identifier travels in (`cpr`, `bsn`) is chosen by that system (tokens/national-identifier-claim.ts):
 * a combination in which these disagree would silently give a client no claim, or mocked citizens
 * another identity than the IdP's. Refused at boot, naming the key (DESIGN.md §4).
 */
describe('config: the realm’s patientIdentifierSystem', () => {
  it('takes CPR or BSN beside a client that asks for the national identifier, and any system beside none', () => {
    expect(problemsOf(realm({ patientIdentifierSystem: CPR, clients: [xis(true)] }))).toEqual([]);
    expect(problemsOf(realm({ patientIdentifierSystem: BSN, clients: [xis(true)], identityProviders: [idp('nl-citizen')] }))).toEqual([]);
    expect(problemsOf(realm({ patientIdentifierSystem: OTHER, clients: [xis(false)] }))).toEqual([]);
    // Unset: NemLog-in's citizens are CPR, nl-citizen's BSN; both have a claim.
    expect(problemsOf(realm({ clients: [xis(true)], identityProviders: [idp('oiosaml3-citizen'), idp('nl-citizen')] }))).toEqual([]);
  });

  it('refuses a system without a national-identifier claim beside a client with nationalIdentifier: true', () => {
    expect(problemsOf(realm({ patientIdentifierSystem: OTHER, clients: [xis(false), { ...xis(true), clientId: 'gp' }] }))).toEqual([
      `realms[0].patientIdentifierSystem: client gp has nationalIdentifier: true, but only a CPR (${CPR}) or BSN (${BSN}) travels in a token (cpr, bsn); this realm's citizens would carry none`,
    ]);
  });

  it('refuses a system other than the BSN in a realm with an nl-citizen IdP, which always searches by BSN', () => {
    expect(problemsOf(realm({ patientIdentifierSystem: CPR, identityProviders: [idp('nl-citizen')] }))).toEqual([
      `realms[0].patientIdentifierSystem: the nl-citizen IdP nl-citizen identifies citizens by BSN (${BSN}); mocked citizens of this realm would be searched by another system`,
    ]);
  });
});
