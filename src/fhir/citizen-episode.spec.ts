import type { EpisodeFacts } from './context-directory.js';
import { citizenEpisodeRefusal } from './citizen-episode.js';

const BASE = 'https://fhir.example/R4';
const NANCY = `${BASE}/Patient/nancy`;
const episode = (facts: Partial<EpisodeFacts> = {}): EpisodeFacts => ({
  episode: `${BASE}/EpisodeOfCare/eoc-1`,
  inForce: true,
  patient: NANCY,
  teams: [`${BASE}/CareTeam/ct-1`],
  ...facts,
});

/** The one rule for a citizen's episode of care, chosen on a refresh or logged in with as a mocked citizen. */
describe('citizenEpisodeRefusal', () => {
  it('lets the citizen hold their own episode in force, whatever its care teams', () => {
    expect(citizenEpisodeRefusal(episode(), NANCY)).toBeUndefined();
    expect(citizenEpisodeRefusal(episode({ teams: [] }), NANCY)).toBeUndefined();
  });

  it('refuses a missing episode, another patient’s, one naming no patient, and any for a citizen without a Patient', () => {
    expect(citizenEpisodeRefusal(undefined, NANCY)).toBe('episode of care of another patient');
    expect(citizenEpisodeRefusal(episode({ patient: `${BASE}/Patient/bo` }), NANCY)).toBe('episode of care of another patient');
    expect(citizenEpisodeRefusal(episode({ patient: undefined }), NANCY)).toBe('episode of care of another patient');
    expect(citizenEpisodeRefusal(episode(), undefined)).toBe('episode of care of another patient');
  });

  it('refuses the citizen’s own episode that is not in force (entered-in-error, cancelled)', () => {
    expect(citizenEpisodeRefusal(episode({ inForce: false }), NANCY)).toBe('episode of care not in force');
  });
});
