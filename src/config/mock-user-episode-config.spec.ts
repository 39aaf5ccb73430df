import { configProblems as problemsOf } from '../../test/support/config-problems.js';

const CPR = 'urn:oid:1.2.208.176.1.2';

const withMockUser = (user: Record<string, unknown>) => ({
  environment: 'test',
  publicUrl: 'https://auth.example',
  keys: { encryptionKey: 'x'.repeat(32) },
  realms: [{ name: 'nemlogin', patientIdentifierSystem: CPR, mockUsers: [user] }],
});

const citizen = { username: 'nancy', kind: 'citizen', ssn: '0101011234' };

/**
 * A mocked citizen may log in with an episode of care (DOMAIN.md, mocked users: "a mock client logs a
 * citizen in by CPR (optionally with an episode of care)"): the EpisodeOfCare's logical id, checked
 * against FHIR at the login as a citizen's own choice of an episode is (contexts/).
 */
describe('config: a mocked citizen’s episode of care', () => {
  it('takes a FHIR logical id on a citizen', () => {
    expect(problemsOf(withMockUser({ ...citizen, episodeOfCare: 'demo-eoc-nancy-cardiology' }))).toEqual([]);
    expect(problemsOf(withMockUser({ ...citizen, episodeOfCare: 'A.1-b' }))).toEqual([]);
  });

  it('refuses what is no FHIR logical id (R4 datatypes: id), naming the key', () => {
    for (const episodeOfCare of ['', 'EpisodeOfCare/demo-eoc', 'https://fhir.example/EpisodeOfCare/x', 'has space', 'x'.repeat(65)]) {
      expect(problemsOf(withMockUser({ ...citizen, episodeOfCare }))).toEqual([
        'realms[0].mockUsers[0].episodeOfCare: must be the logical id of an EpisodeOfCare (R4 id: 1-64 of A-Z a-z 0-9 - .)',
      ]);
    }
  });

  it('refuses it on a clinician or a supplier employee, naming the key and why', () => {
    const clinician = { username: 'doc', kind: 'clinician', identifiers: [{ system: 'urn:x', value: 'd' }] };
    const generic = { username: 'sam', kind: 'generic' };
    for (const user of [clinician, generic]) {
      expect(problemsOf(withMockUser({ ...user, episodeOfCare: 'demo-eoc-nancy-cardiology' }))).toEqual([
        'realms[0].mockUsers[0].episodeOfCare: only a mocked citizen logs in with an episode of care; a clinician chooses one with a care team (contexts)',
      ]);
    }
  });
});
