import { readFile } from 'node:fs/promises';
import { ConfigError } from '../../config/config.error.js';
import { getStatus, normalizeOperationOutcome, validateResource } from '@medplum/core';
import type { FhirRouter, MemoryRepository } from '@medplum/fhir-router';
import { HELD_RESOURCE_TYPES, isHeldResourceType } from './resource-types.js';

type RouterResource = Parameters<typeof validateResource>[0];

interface SeedEntry {
  fullUrl?: unknown;
  resource?: { resourceType?: unknown; id?: unknown };
  request?: { method?: unknown; url?: unknown };
}

/** Reads a seed Bundle file; a missing or malformed file stops the start naming the key and the path, without a stack. */
export async function readSeedFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw ConfigError.problem(`fhir.seed: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw ConfigError.problem(`fhir.seed: ${path} is not valid JSON`);
  }
}

/**
 * Loads a `transaction`, `batch` or `collection` Bundle (R4 Bundle.type) into the repository and
 * returns how many entries it stored. A collection's entries are stored under their own ids (PUT,
 * update-as-create), so references between them hold. Medplum processes a transaction on
 * MemoryRepository entry by entry, not atomically (DESIGN.md §5), so every entry's response status
 * is checked and any failure fails the seed. Messages name entries by position and type only:
 * seed data holds national identifiers, which never go into a message.
 */
export async function applySeed(router: FhirRouter, repo: MemoryRepository, bundle: unknown, source: string): Promise<number> {
  const { type, entries } = seedEntries(bundle, source);
  const invalid = entries.flatMap((entry, index) => validationProblem(entry, index));
  if (invalid.length > 0) throw ConfigError.problem(`fhir.seed: ${source}: invalid entries: ${invalid.join('; ')}`);

  // A transaction stays one, so Medplum still resolves `urn:uuid` references between its entries.
  const batch = { resourceType: 'Bundle', type: type === 'collection' ? 'batch' : type, entry: entries };
  const [outcome, response] = await router.handleRequest(
    { method: 'POST', url: '', pathname: '', body: batch, params: {}, query: {} },
    repo,
  );
  const results = (response as { entry?: { response?: { status?: string } }[] } | undefined)?.entry ?? [];
  const failures = entries.flatMap((entry, index) => {
    const status = results[index]?.response?.status ?? String(getStatus(outcome));
    return status.startsWith('2') ? [] : [`#${index} ${describe(entry)} → ${status}`];
  });
  if (failures.length > 0) {
    throw ConfigError.problem(`fhir.seed: ${source}: ${failures.length} of ${entries.length} entries failed: ${failures.join('; ')}`);
  }
  return entries.length;
}

function seedEntries(bundle: unknown, source: string): { type: string; entries: SeedEntry[] } {
  const candidate = bundle as { resourceType?: unknown; type?: unknown; entry?: unknown } | null;
  if (candidate?.resourceType !== 'Bundle') throw ConfigError.problem(`fhir.seed: ${source} is not a FHIR Bundle`);
  if (candidate.type !== 'transaction' && candidate.type !== 'batch' && candidate.type !== 'collection') {
    throw ConfigError.problem(`fhir.seed: ${source}: Bundle.type must be transaction, batch or collection`);
  }
  const type = candidate.type;
  const entries = Array.isArray(candidate.entry) ? (candidate.entry as SeedEntry[]) : [];
  return {
    type,
    entries: entries.map(({ fullUrl, resource, request }) =>
      type === 'collection' || request === undefined ? withImpliedRequest({ fullUrl, resource }) : { fullUrl, resource, request },
    ),
  };
}

function withImpliedRequest(entry: SeedEntry): SeedEntry {
  const type = String(entry.resource?.resourceType ?? '');
  const id = typeof entry.resource?.id === 'string' ? entry.resource.id : undefined;
  return { ...entry, request: id ? { method: 'PUT', url: `${type}/${id}` } : { method: 'POST', url: type } };
}

/** Medplum does not validate what it stores (measured: even an unknown resource type is kept). */
function validationProblem(entry: SeedEntry, index: number): string[] {
  if (entry.resource === undefined) return entry.request?.method === 'DELETE' ? [] : [`#${index} has no resource`];
  if (!isHeldResourceType(String(entry.resource.resourceType))) {
    return [`#${index} ${describe(entry)}: not a type the embedded server holds (${HELD_RESOURCE_TYPES.join(', ')})`];
  }
  try {
    validateResource(entry.resource as RouterResource);
    return [];
  } catch (error) {
    const codes = normalizeOperationOutcome(error).issue?.map((issue) => issue.expression?.join(',') ?? issue.code) ?? [];
    return [`#${index} ${describe(entry)}: ${codes.join(', ')}`];
  }
}

function describe(entry: SeedEntry): string {
  return `${String(entry.request?.method ?? '?')} ${String(entry.resource?.resourceType ?? '?')}`;
}
