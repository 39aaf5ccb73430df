import type * as fhir4 from 'fhir/r4.js';
import { FhirConflictError, FhirPreconditionFailedError, FhirRequestError, FhirUnavailableError } from '../fhir.errors.js';
import type { FhirGateway } from '../fhir.gateway.js';
import type { FhirCallOptions, ResourceOf, ResourceType, Stored } from '../fhir-resources.js';
import { backoffDelay, sleep } from '../fhir-retry.js';

/**
 * Each 412 (or 409) means another writer succeeded, so N clinicians joining one care team at once
 * need up to N tries for the last of them; the e2e suite runs 20 against one team. The pause stays
 * short (a login waits on it) but grows and jitters so racing writers spread out.
 */
const MAX_ATTEMPTS = 30;
const BACKOFF_MS = 5;
const MAX_BACKOFF_MS = 100;

/**
 * Optimistic concurrency (R4 http.html#concurrency, "Managing Resource Contention"): apply `plan` to the latest
 * version and write it with `If-Match`; when another writer got there first (412, or 409, which R4
 * http.html#update lets a server answer for a version conflict instead), read again and re-apply
 * the plan to what they wrote. Nothing is written when the plan finds nothing to change,
 * so a clinician whose data did not change leaves no new version behind.
 */
export async function updateVersioned<K extends ResourceType>(
  gateway: FhirGateway,
  current: Stored<ResourceOf<K>>,
  plan: (latest: Stored<ResourceOf<K>>) => ResourceOf<K> | undefined,
  options: FhirCallOptions,
): Promise<Stored<ResourceOf<K>>> {
  let latest = current;
  for (let attempt = 1; ; attempt++) {
    const next = plan(latest);
    if (next === undefined) return latest;
    const version = (latest as fhir4.Resource).meta?.versionId;
    if (version === undefined) {
      throw new FhirRequestError(`FHIR update ${latest.resourceType}: the server gives no versionId, so If-Match is impossible`);
    }
    try {
      return await gateway.update({ ...next, id: latest.id } as Stored<ResourceOf<K>>, version, options);
    } catch (error) {
      if (!isVersionConflict(error)) throw error;
      // Every try lost a race to another writer: transient (R4 http.html#concurrency), so the login may be
      // tried again (retryable, the "try again" page), not refused as if FHIR had said no.
      if (attempt >= MAX_ATTEMPTS)
        throw new FhirUnavailableError(`FHIR update ${latest.resourceType}: still in conflict after ${MAX_ATTEMPTS} tries`, error.status);
      await sleep(Math.min(backoffDelay(BACKOFF_MS, attempt), MAX_BACKOFF_MS));
      latest = await gateway.readResource(latest.resourceType as K, latest.id, options);
    }
  }
}

/**
 * The If-Match write lost a race. R4 http.html#update lists 409 Conflict beside 412 for version
 * conflicts, so some servers answer 409; here the only precondition sent is the version.
 */
function isVersionConflict(error: unknown): error is FhirPreconditionFailedError | FhirConflictError {
  return error instanceof FhirPreconditionFailedError || error instanceof FhirConflictError;
}
