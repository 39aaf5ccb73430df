import { EpisodeOfCareRefusedError } from '../identity/linking-errors.js';
import { episodeFacts, type EpisodeFacts } from './context-directory.js';
import { FhirNotFoundError } from './fhir.errors.js';
import type { FhirGateway } from './fhir.gateway.js';
import type { FhirCallOptions } from './fhir-resources.js';

/**
 * Why a citizen may not hold this episode of care in their context, or undefined when they may. The
 * one rule for a citizen's episode, whether chosen on a refresh (contexts/context-selection.service.ts)
 * or logged in with as a mocked citizen (below): it exists, is in force (episodeInForce) and names the
 * citizen's own Patient (DOMAIN.md: "The episode of care must belong to the patient"). A citizen
 * chooses no care team, so the episode's teams are not theirs to match.
 */
export function citizenEpisodeRefusal(episode: EpisodeFacts | undefined, patient: string | undefined): string | undefined {
  if (!episode || patient === undefined || episode.patient !== patient) return 'episode of care of another patient';
  if (!episode.inForce) return 'episode of care not in force';
  return undefined;
}

/**
 * A mocked citizen's configured episode (DOMAIN.md, mocked users: "logs a citizen in by CPR (optionally
 * with an episode of care)"), read within the login's FHIR deadline: its absolute URL when the rule
 * above lets the linked `patient` hold it; EpisodeOfCareRefusedError when not. An outage is the FHIR
 * error it is, so the login answers "try again" and never issues tokens without the episode.
 */
export async function checkedCitizenEpisode(
  gateway: FhirGateway,
  id: string,
  patient: string | undefined,
  options: FhirCallOptions,
): Promise<string> {
  const episode = await gateway.readResource('EpisodeOfCare', id, options).catch((error: unknown) => {
    if (error instanceof FhirNotFoundError) return undefined;
    throw error;
  });
  const facts = episode && episodeFacts(gateway, episode);
  const refusal = citizenEpisodeRefusal(facts, patient);
  if (refusal !== undefined) throw new EpisodeOfCareRefusedError(refusal);
  return facts!.episode;
}
