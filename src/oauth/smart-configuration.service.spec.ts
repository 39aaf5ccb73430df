import { DEFAULT_CONFIG_FILE, loadConfigFile } from '../config/config.loader.js';
import type { RealmConfig } from '../config/config.schema.js';
import { realmFromConfig, type Realm } from '../realms/realm.js';
import { DiscoveryService } from './discovery.service.js';
import { SmartConfigurationService } from './smart-configuration.service.js';

/** What SMART App Launch 2.x §"Conformance" has every realm here support, whoever logs in to it. */
const EVERY_REALM = [
  'launch-standalone',
  'authorize-post',
  'client-public',
  'client-confidential-symmetric',
  'client-confidential-asymmetric',
  'permission-online',
  'permission-v2',
  'permission-v1',
  'permission-user',
];
const PATIENT_SCOPES = ['launch/patient', 'patient/*.cruds', 'patient/*.rs', 'patient/*.read'];

/** The demo realms (fixtures/config/demo.yaml): nemlogin of citizens, ehealth of clinicians, ssl of supplier employees. */
const demo = loadConfigFile(DEFAULT_CONFIG_FILE, {});
const realmConfig = (name: string): RealmConfig => demo.realms.find((realm) => realm.name === name)!;
const realm = (config: RealmConfig): Realm => realmFromConfig('https://id.example', config);
const smart = (of: Realm) => new SmartConfigurationService([]).configuration(of) as { capabilities: string[]; scopes_supported: string[] };

/** `ssl` (no one in FHIR) with one IdP of `profile` in place of its mocked users: the IdP's profile alone decides. */
const withOnlyIdp = (profile: RealmConfig['identityProviders'][number]['profile']): Realm =>
  realm({
    ...realmConfig('ssl'),
    mockUsers: [],
    identityProviders: [{ alias: 'idp', profile } as RealmConfig['identityProviders'][number]],
  });

/**
 * A realm advertises the patient capabilities (SMART App Launch 2.x §"Conformance") only where a
 * login can have a patient: `context-standalone-patient` where a standalone launch's token response
 * names one (citizens), `permission-patient` and the patient-level scopes where any token can carry
 * them beside a `patient` (citizens, and clinicians once they choose a patient: contexts/).
 */
describe('SMART configuration per realm', () => {
  it('nemlogin (citizens): a standalone launch with patient context, patient-level scopes', () => {
    const { capabilities, scopes_supported } = smart(realm(realmConfig('nemlogin')));
    expect(capabilities).toEqual(
      expect.arrayContaining([...EVERY_REALM, 'context-standalone-patient', 'permission-patient', 'sso-openid-connect']),
    );
    expect(capabilities).toHaveLength(EVERY_REALM.length + 3);
    expect(scopes_supported).toEqual(expect.arrayContaining([...PATIENT_SCOPES, 'fhirUser']));
  });

  it('ehealth (clinicians): no patient at the launch, but patient-level scopes once a patient is chosen', () => {
    const { capabilities, scopes_supported } = smart(realm(realmConfig('ehealth')));
    expect(capabilities).not.toContain('context-standalone-patient');
    expect(capabilities).toEqual(expect.arrayContaining([...EVERY_REALM, 'permission-patient', 'sso-openid-connect']));
    expect(capabilities).toHaveLength(EVERY_REALM.length + 2);
    expect(scopes_supported).toEqual(expect.arrayContaining(PATIENT_SCOPES));
  });

  it('ssl (supplier employees): no patient ever, so neither patient capability nor a patient-level scope, nor fhirUser', () => {
    const { capabilities, scopes_supported } = smart(realm(realmConfig('ssl')));
    expect(capabilities).toEqual(EVERY_REALM);
    expect(scopes_supported.filter((scope) => scope === 'launch/patient' || scope.startsWith('patient/'))).toEqual([]);
    // Nor fhirUser: no one logging in here has a FHIR resource to name (login/scopes-backed-by-link.ts),
    // so no SMART OpenID Connect profile either, whose ID token names it.
    expect(scopes_supported).not.toContain('fhirUser');
    expect(capabilities).not.toContain('sso-openid-connect');
    // What every realm offers stays: user-level scopes and OpenID Connect.
    expect(scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'user/*.rs']));
  });

  it.each([
    ['oiosaml3-citizen', ['context-standalone-patient', 'permission-patient', 'sso-openid-connect']],
    ['nl-citizen', ['context-standalone-patient', 'permission-patient', 'sso-openid-connect']],
    ['dk-clinician', ['permission-patient', 'sso-openid-connect']],
    ['generic', []],
  ] as const)('a realm whose only IdP has the %s profile: %j beside the rest', (profile, patientOnes) => {
    const { capabilities } = smart(withOnlyIdp(profile));
    expect(capabilities.filter((capability) => !EVERY_REALM.includes(capability))).toEqual(patientOnes);
  });

  it('a realm of supplier employees that trusts an issuer for token exchange: patient-level scopes, whose subject tokens may name a patient', () => {
    const trusting = realm({
      ...realmConfig('ssl'),
      trustedIssuers: [{ issuer: 'https://portal.example', jwksUri: 'https://portal.example/jwks', algorithms: ['ES256'] }],
    });
    const { capabilities, scopes_supported } = smart(trusting);
    expect(capabilities.filter((capability) => !EVERY_REALM.includes(capability))).toEqual(['permission-patient']);
    expect(scopes_supported).toEqual(expect.arrayContaining(PATIENT_SCOPES));
  });
});

describe('claims_supported per realm (OIDC Discovery 1.0 §3: claims the OP "MAY be able to supply values for")', () => {
  const claims = (of: Realm) => new DiscoveryService([]).metadata(of).claims_supported as string[];

  it.each(['nemlogin', 'ehealth'])('%s lists fhirUser and patient', (name) => {
    expect(claims(realm(realmConfig(name)))).toEqual(expect.arrayContaining(['fhirUser', 'patient', 'sub', 'acr']));
  });

  it('ssl (supplier employees) lists neither, as no token of it names a FHIR resource', () => {
    const listed = claims(realm(realmConfig('ssl')));
    expect(listed).toEqual(expect.arrayContaining(['sub', 'acr', 'user_type']));
    expect(listed.filter((claim) => claim === 'fhirUser' || claim === 'patient')).toEqual([]);
  });
});
