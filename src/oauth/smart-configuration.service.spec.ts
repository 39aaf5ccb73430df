import { DEFAULT_CONFIG_FILE, loadConfigFile } from '../config/config.loader.js';
import type { RealmConfig } from '../config/config.schema.js';
import { realmFromConfig, type Realm } from '../realms/realm.js';
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
  'sso-openid-connect',
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
    expect(capabilities).toEqual(expect.arrayContaining([...EVERY_REALM, 'context-standalone-patient', 'permission-patient']));
    expect(capabilities).toHaveLength(EVERY_REALM.length + 2);
    expect(scopes_supported).toEqual(expect.arrayContaining([...PATIENT_SCOPES, 'fhirUser']));
  });

  it('ehealth (clinicians): no patient at the launch, but patient-level scopes once a patient is chosen', () => {
    const { capabilities, scopes_supported } = smart(realm(realmConfig('ehealth')));
    expect(capabilities).not.toContain('context-standalone-patient');
    expect(capabilities).toEqual(expect.arrayContaining([...EVERY_REALM, 'permission-patient']));
    expect(capabilities).toHaveLength(EVERY_REALM.length + 1);
    expect(scopes_supported).toEqual(expect.arrayContaining(PATIENT_SCOPES));
  });

  it('ssl (supplier employees): no patient ever, so neither patient capability nor a patient-level scope', () => {
    const { capabilities, scopes_supported } = smart(realm(realmConfig('ssl')));
    expect(capabilities).toEqual(EVERY_REALM);
    expect(scopes_supported.filter((scope) => scope === 'launch/patient' || scope.startsWith('patient/'))).toEqual([]);
    // Nor fhirUser: no one logging in here has a FHIR resource to name (login/scopes-backed-by-link.ts).
    expect(scopes_supported).not.toContain('fhirUser');
    // What every realm offers stays: user-level scopes and OpenID Connect.
    expect(scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'user/*.rs']));
  });

  it.each([
    ['oiosaml3-citizen', ['context-standalone-patient', 'permission-patient']],
    ['nl-citizen', ['context-standalone-patient', 'permission-patient']],
    ['dk-clinician', ['permission-patient']],
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
