import { configProblems as problemsOf } from '../../test/support/config-problems.js';

const raw = (idp: Record<string, unknown>) => ({
  environment: 'test',
  publicUrl: 'https://auth.example',
  keys: { encryptionKey: 'x'.repeat(32) },
  realms: [
    {
      name: 'r',
      serviceProvider: { signingKey: 'k', signingCertificate: 'c' },
      identityProviders: [{ alias: 'idp', entityId: 'urn:idp', ssoUrl: 'https://idp.example/sso', signingCertificates: ['c'], ...idp }],
    },
  ],
});

/**
 * An IdP's `attributes` names which SAML attribute holds what its profile reads (saml/profiles/). A key
 * the profile does not read is a typo or a misunderstanding: ignored, a generic IdP's users would be
 * keyed by the NameID instead of the attribute meant, and correcting it later would make every one
 * of them a new user. Refused with the key and the reason, as every other config key (DESIGN.md §4).
 */
describe('IdP attributes config', () => {
  it('takes the keys each profile reads', () => {
    expect(
      problemsOf(raw({ profile: 'generic', attributes: { externalId: 'uid', givenName: 'gn', familyName: 'sn', name: 'cn', loa: 'l' } })),
    ).toEqual([]);
    expect(problemsOf(raw({ profile: 'nl-citizen', attributes: { bsn: 'urn:bsn', givenName: 'gn', familyName: 'sn', loa: 'l' } }))).toEqual(
      [],
    );
    expect(problemsOf(raw({ profile: 'oiosaml3-citizen', attributes: { loa: 'urn:loa' } }))).toEqual([]);
  });

  it('refuses a key its profile does not read, naming the key and what the profile reads', () => {
    expect(problemsOf(raw({ profile: 'generic', attributes: { externalID: 'uid' } }))).toEqual([
      'realms[0].identityProviders[0].attributes.externalID: the generic profile reads no such attribute (it reads externalId, givenName, familyName, name, loa)',
    ]);
    expect(problemsOf(raw({ profile: 'nl-citizen', attributes: { externalId: 'uid' } }))).toEqual([
      'realms[0].identityProviders[0].attributes.externalId: the nl-citizen profile reads no such attribute (it reads bsn, givenName, familyName, loa)',
    ]);
    expect(problemsOf(raw({ profile: 'dk-clinician', attributes: { givenName: 'gn' } }))).toEqual([
      'realms[0].identityProviders[0].attributes.givenName: the dk-clinician profile reads no such attribute (it reads loa)',
    ]);
  });
});
