import { getSearchParameters } from '@medplum/core';
import type { FhirBase } from './fhir-http-adapter.js';
import { HELD_RESOURCE_TYPES } from './resource-types.js';

/**
 * The base's CapabilityStatement (R4 capabilitystatement.html, `GET [base]/metadata`). With an
 * authorization server it names it the way SMART clients look for it when a base has no
 * `.well-known/smart-configuration` (SMART App Launch 1.0 "oauth-uris" extension, kept in 2.x for
 * older clients), with every endpoint of it that the extension has a name for and the service has
 * (no `register`, no `manage`); the service publishes that document too, and the two agree.
 */
export function capabilityStatement(base: FhirBase): Record<string, unknown> {
  let statement = statements.get(base);
  if (!statement) statements.set(base, (statement = buildStatement(base)));
  return statement;
}

/** Built once per base: it changes only with the schema, loaded once at start (medplum-schema.ts). */
const statements = new WeakMap<FhirBase, Record<string, unknown>>();

function buildStatement(base: FhirBase): Record<string, unknown> {
  const security = base.oauth && {
    service: [
      {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' }],
        text: 'OAuth2 using SMART-on-FHIR profile',
      },
    ],
    extension: [
      {
        url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
        extension: [
          { url: 'authorize', valueUri: base.oauth.authorize },
          { url: 'token', valueUri: base.oauth.token },
          { url: 'introspect', valueUri: base.oauth.introspect },
          { url: 'revoke', valueUri: base.oauth.revoke },
        ],
      },
    ],
  };
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2026-01-01',
    kind: 'instance',
    software: { name: 'federation-service embedded FHIR server (Medplum fhir-router, in memory)' },
    implementation: { description: 'Embedded FHIR server for the demo and tests', url: base.url },
    fhirVersion: '4.0.1',
    format: ['json'],
    rest: [
      {
        mode: 'server',
        ...(security ? { security } : {}),
        resource: HELD_RESOURCE_TYPES.map((type) => ({
          type,
          interaction: ['read', 'vread', 'search-type', 'create', 'update'].map((code) => ({ code })),
          searchParam: searchParams(type),
        })),
      },
    ],
  };
}

/**
 * The search parameters the server understands for `type` (those loaded in medplum-schema.ts, which
 * strict-search.ts holds a request to). fhirclient's `client.patient.request('Observation')` picks
 * the parameter that scopes a type by patient from this list, and refuses a type without one.
 */
function searchParams(type: string): { name: string; type: string }[] {
  return Object.values(getSearchParameters(type) ?? {})
    .map((parameter) => ({ name: parameter.code, type: parameter.type }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
