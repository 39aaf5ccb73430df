import { parseConfig } from '../../config/config.loader.js';
import { realmFromConfig } from '../../realms/realm.js';
import type { AssertionAttributes, ProfileContext } from './attribute-profile.js';
import { ProfileError } from './attribute-profile.js';
import { nlCitizenProfile } from './nl-citizen.profile.js';
import { oiosaml3CitizenProfile } from './oiosaml3-citizen.profile.js';
import { genericProfile } from './generic.profile.js';
import { attributeProfile } from './profiles.js';

const PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';

function context(realmPatch: Record<string, unknown> = {}, idpPatch: Record<string, unknown> = {}): ProfileContext {
  const idp = {
    alias: 'idp',
    profile: 'generic',
    entityId: 'https://idp.test',
    ssoUrl: 'https://idp.test/sso',
    signingCertificates: ['x'],
    ...idpPatch,
  };
  const config = parseConfig(
    {
      environment: 'test',
      publicUrl: 'https://sp.test',
      keys: { encryptionKey: 'test-only-key-encryption-key-0123456789' },
      realms: [{ name: 'r', serviceProvider: { signingKey: 'k', signingCertificate: 'c' }, identityProviders: [idp], ...realmPatch }],
    },
    'profile test',
    {},
  );
  return { realm: realmFromConfig(config.publicUrl, config.realms[0]), idp: config.realms[0].identityProviders[0] };
}

const assertion = (attributes: Record<string, string[]>, nameId?: { value: string; format?: string }): AssertionAttributes => ({
  nameId,
  attributes: new Map(Object.entries(attributes)),
});

describe('attribute profiles', () => {
  it('picks the profile the config names', () => {
    expect(attributeProfile('oiosaml3-citizen')).toBe(oiosaml3CitizenProfile);
    expect(attributeProfile('nl-citizen').requestsNsisLoa).toBe(false);
    expect(attributeProfile('oiosaml3-citizen').nameIdFormat).toBe(PERSISTENT);
  });

  it("oiosaml3-citizen uses the realm's patientIdentifierSystem for the CPR", () => {
    const principal = oiosaml3CitizenProfile.toPrincipal(
      assertion({ 'https://data.gov.dk/model/core/eid/cprNumber': ['0101701234'] }, { value: 'p', format: PERSISTENT }),
      context({ patientIdentifierSystem: 'urn:example:cpr' }),
    );
    expect(principal).toMatchObject({ kind: 'citizen', ssn: { system: 'urn:example:cpr', value: '0101701234' }, externalId: 'p' });
    expect(principal.name).toBeUndefined();
  });

  it('nl-citizen reads the BSN from the attribute the config names', () => {
    const ctx = context({}, { profile: 'nl-citizen', attributes: { bsn: 'urn:example:bsn', givenName: 'gn' } });
    const principal = nlCitizenProfile.toPrincipal(assertion({ 'urn:example:bsn': ['123456782'], gn: ['Jan'] }, { value: 'n' }), ctx);
    expect(principal).toMatchObject({
      ssn: { system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: '123456782' },
      name: { given: ['Jan'] },
    });
    expect(() => nlCitizenProfile.toPrincipal(assertion({ 'urn:nl-eid-gdi:1.0:id:BSN': ['123456782'] }, { value: 'n' }), ctx)).toThrow(
      'missing attribute urn:example:bsn',
    );
  });

  describe('nl-citizen: DigiD states the BSN in its NameID, behind the sector code of the BSN (s00000000:)', () => {
    const nl = (attributes: Record<string, string> = {}) => context({}, { profile: 'nl-citizen', attributes });
    const unspecified = (value: string) => ({ value, format: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified' });

    it('takes the BSN from a DigiD NameID when no BSN attribute is sent', () => {
      const principal = nlCitizenProfile.toPrincipal(assertion({}, unspecified('s00000000:111222333')), nl());
      expect(principal).toMatchObject({
        externalId: 's00000000:111222333',
        ssn: { system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: '111222333' },
      });
    });

    it('does so under an attribute name the IdP config names too', () => {
      const principal = nlCitizenProfile.toPrincipal(assertion({}, unspecified('s00000000:111222333')), nl({ bsn: 'urn:example:bsn' }));
      expect(principal).toMatchObject({ ssn: { value: '111222333' } });
    });

    it.each([
      ['another sector code (SoFi)', 's00000001:111222333', 'missing attribute urn:nl-eid-gdi:1.0:id:BSN'],
      ['a bare number, no sector code', '111222333', 'missing attribute urn:nl-eid-gdi:1.0:id:BSN'],
      ['an opaque pseudonym', 'opaque-pseudonym-1', 'missing attribute urn:nl-eid-gdi:1.0:id:BSN'],
      ['a number failing the eleven-test', 's00000000:123456789', 'the DigiD NameID holds no BSN'],
    ])('refuses %s in the NameID without the attribute, never naming the value', (_what, nameId, reason) => {
      const refuse = () => nlCitizenProfile.toPrincipal(assertion({}, unspecified(nameId)), nl());
      expect(refuse).toThrow(ProfileError);
      expect(refuse).toThrow(reason);
      expect(refuse).not.toThrow(/111222333|123456789/);
    });

    it('refuses a transient NameID as the BSN', () => {
      const transient = { value: 's00000000:111222333', format: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient' };
      expect(() => nlCitizenProfile.toPrincipal(assertion({}, transient), nl())).toThrow(ProfileError);
    });
  });

  it('refusals never carry the attribute value', () => {
    const ctx = context({}, { profile: 'nl-citizen' });
    const bad = () => nlCitizenProfile.toPrincipal(assertion({ 'urn:nl-eid-gdi:1.0:id:BSN': ['123456789'] }, { value: 'n' }), ctx);
    expect(bad).toThrow(ProfileError);
    expect(bad).not.toThrow('123456789');
  });

  describe('one assertion, one person: a NameID carrying the identifier must be the identifier attribute', () => {
    const nl = () => context({}, { profile: 'nl-citizen' });
    const bsn = (value: string) => ({ 'urn:nl-eid-gdi:1.0:id:BSN': [value] });

    it.each(['123456782', 's00000000:123456782'])('nl-citizen refuses NameID %s with another BSN in the attribute', (nameId) => {
      const refuse = () => nlCitizenProfile.toPrincipal(assertion(bsn('111222333'), { value: nameId }), nl());
      expect(refuse).toThrow(ProfileError);
      expect(refuse).toThrow('NameID and the BSN attribute name different persons');
      expect(refuse).not.toThrow(/123456782|111222333/);
    });

    it.each(['111222333', 's00000000:111222333', 'opaque-pseudonym-1'])('nl-citizen accepts NameID %s with BSN 111222333', (nameId) => {
      const principal = nlCitizenProfile.toPrincipal(assertion(bsn('111222333'), { value: nameId }), nl());
      expect(principal).toMatchObject({ externalId: nameId, ssn: { value: '111222333' } });
    });

    it('oiosaml3-citizen refuses a CPR-shaped NameID that is not the CPR attribute', () => {
      const cpr = { 'https://data.gov.dk/model/core/eid/cprNumber': ['0101701234'] };
      const ctx = context();
      expect(() => oiosaml3CitizenProfile.toPrincipal(assertion(cpr, { value: '0202801234', format: PERSISTENT }), ctx)).toThrow(
        'NameID and the CPR attribute name different persons',
      );
      expect(oiosaml3CitizenProfile.toPrincipal(assertion(cpr, { value: '0101701234', format: PERSISTENT }), ctx).externalId).toBe(
        '0101701234',
      );
    });
  });

  it('generic ignores empty values and refuses a repeated single-valued attribute', () => {
    const ctx = context({}, { attributes: { externalId: 'uid' } });
    expect(genericProfile.toPrincipal(assertion({ uid: ['', 'u1'] }), ctx).externalId).toBe('u1');
    expect(() => genericProfile.toPrincipal(assertion({ uid: ['u1', 'u2'] }), ctx)).toThrow('more than one value');
  });

  it('generic takes the external id from the attribute the IdP names, and then never from the NameID', () => {
    const named = context({}, { attributes: { externalId: 'uid' } });
    const nameId = { value: '4711', format: PERSISTENT };
    expect(genericProfile.toPrincipal(assertion({ uid: ['4711'] }, { value: 'alice', format: PERSISTENT }), named).externalId).toBe('4711');
    for (const without of [{}, { uid: [''] }] as Record<string, string[]>[]) {
      expect(() => genericProfile.toPrincipal(assertion(without, nameId), named)).toThrow('missing attribute uid');
    }
    // No attribute named: the NameID is the id, for every assertion of that IdP, which must then carry one.
    expect(genericProfile.toPrincipal(assertion({ uid: ['u1'] }, nameId), context()).externalId).toBe('4711');
    expect(() => genericProfile.toPrincipal(assertion({ uid: ['u1'] }), context())).toThrow('missing NameID');
  });
});
