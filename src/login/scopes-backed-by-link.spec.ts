import { scopesBackedByLink } from './scopes-backed-by-link.js';

describe('scopesBackedByLink', () => {
  const asked = [
    'openid',
    'profile',
    'fhirUser',
    'launch/patient',
    'patient/*.read',
    'patient/Observation.rs',
    'user/Patient.rs',
    'online_access',
  ];

  it('grants a citizen linked to a Patient everything asked', () => {
    expect(scopesBackedByLink(asked, { kind: 'patient', patient: 'p1' })).toEqual(asked);
  });

  it.each([
    ['a citizen no Patient matched', { kind: 'patient', patient: undefined }],
    ['a login linked to no one', { kind: 'none' }],
  ] as const)(
    'grants %s no patient-level scope (SMART: no patient context to provide), nor fhirUser (no resource to name)',
    (_name, link) => {
      expect(scopesBackedByLink(asked, link)).toEqual(['openid', 'profile', 'user/Patient.rs', 'online_access']);
    },
  );

  it('leaves a clinician the patient-level scopes: the patient is chosen later as their context', () => {
    expect(scopesBackedByLink(asked, { kind: 'practitioner', practitioner: 'pr1', organisations: [], careTeams: [] })).toEqual(asked);
  });

  it('keeps values that only look alike', () => {
    expect(scopesBackedByLink(['patient', 'launch', 'patient/x'], { kind: 'none' })).toEqual(['patient', 'launch', 'patient/x']);
  });
});
