import type * as fhir4 from 'fhir/r4.js';

/**
 * Asks a FHIR server directly with fetch — not through the gateway under test — so assertions about
 * what the server holds do not depend on the code they check.
 */
export async function probeSearch<T extends fhir4.Resource = fhir4.Resource>(baseUrl: string, query: string): Promise<T[]> {
  const response = await fetch(`${baseUrl}/${query}`, { headers: { accept: 'application/fhir+json' } });
  if (!response.ok) throw new Error(`probe ${query}: HTTP ${response.status}`);
  const bundle = (await response.json()) as fhir4.Bundle;
  return (bundle.entry ?? []).filter((e) => e.search?.mode !== 'include').map((e) => e.resource as T);
}

export async function probeRead<T extends fhir4.Resource = fhir4.Resource>(baseUrl: string, reference: string): Promise<T> {
  const response = await fetch(`${baseUrl}/${reference}`, { headers: { accept: 'application/fhir+json' } });
  if (!response.ok) throw new Error(`probe ${reference}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

/** How many versions a resource has (R4 http.html#history). */
export async function probeVersions(baseUrl: string, reference: string): Promise<number> {
  const response = await fetch(`${baseUrl}/${reference}/_history`, { headers: { accept: 'application/fhir+json' } });
  const bundle = (await response.json()) as fhir4.Bundle;
  return bundle.entry?.length ?? 0;
}

export async function probeCreate<T extends fhir4.Resource>(baseUrl: string, resource: T): Promise<T & { id: string }> {
  const response = await fetch(`${baseUrl}/${resource.resourceType}`, {
    method: 'POST',
    headers: { 'content-type': 'application/fhir+json' },
    body: JSON.stringify(resource),
  });
  if (response.status !== 201) throw new Error(`probe create ${resource.resourceType}: HTTP ${response.status}`);
  return (await response.json()) as T & { id: string };
}

/** A plain update (R4 http.html#update), as another writer of the server would make it. */
export async function probeUpdate<T extends fhir4.Resource & { id: string }>(baseUrl: string, resource: T): Promise<void> {
  const response = await fetch(`${baseUrl}/${resource.resourceType}/${resource.id}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/fhir+json' },
    body: JSON.stringify(resource),
  });
  if (response.status !== 200) throw new Error(`probe update ${resource.resourceType}: HTTP ${response.status}`);
}
