import type * as fhir4 from 'fhir/r4.js';
import { FhirConflictError, FhirPreconditionFailedError, FhirRequestError, FhirUnavailableError } from '../fhir.errors.js';
import type { FhirGateway } from '../fhir.gateway.js';
import type { Stored } from '../fhir-resources.js';
import { updateVersioned } from './versioned-update.js';

type CareTeam = Stored<fhir4.CareTeam>;

const team = (version: string, name?: string): CareTeam => ({ resourceType: 'CareTeam', id: 'ct', meta: { versionId: version }, name });

/**
 * A server holding one CareTeam: `refuse` decides each If-Match update's failure (undefined lets it
 * through); every update and read is recorded.
 */
function fakeServer(refuse: (attempt: number) => Error | undefined) {
  let stored = team('2', 'theirs');
  const updates: string[] = [];
  const reads: string[] = [];
  const gateway = {
    update: async (resource: CareTeam, version: string) => {
      updates.push(version);
      const error = refuse(updates.length);
      if (error !== undefined) throw error;
      stored = { ...resource, meta: { versionId: String(Number(version) + 1) } };
      return stored;
    },
    readResource: async (type: string, id: string) => {
      reads.push(`${type}/${id}`);
      return stored;
    },
  } as unknown as FhirGateway;
  return { gateway, updates, reads };
}

const rename = (latest: CareTeam): CareTeam | undefined => (latest.name === 'mine' ? undefined : { ...latest, name: 'mine' });

describe('updateVersioned', () => {
  it('re-reads and re-applies the plan after a 412, writing with the new version', async () => {
    const { gateway, updates, reads } = fakeServer((n) => (n === 1 ? new FhirPreconditionFailedError('HTTP 412', 412) : undefined));
    await expect(updateVersioned(gateway, team('1'), rename, {})).resolves.toMatchObject({ name: 'mine', meta: { versionId: '3' } });
    expect(updates).toEqual(['1', '2']);
    expect(reads).toEqual(['CareTeam/ct']);
  });

  it('treats a 409 Conflict as the same version conflict (R4 http.html#update), not as a refusal', async () => {
    const { gateway, updates, reads } = fakeServer((n) => (n === 1 ? new FhirConflictError('HTTP 409', 409) : undefined));
    await expect(updateVersioned(gateway, team('1'), rename, {})).resolves.toMatchObject({ name: 'mine', meta: { versionId: '3' } });
    expect(updates).toEqual(['1', '2']);
    expect(reads).toEqual(['CareTeam/ct']);
  });

  it.each([
    ['409', new FhirConflictError('HTTP 409', 409)],
    ['412', new FhirPreconditionFailedError('HTTP 412', 412)],
  ])(
    'gives up after a bounded number of tries lost with %s, retryable: a lost race is transient (R4 http.html#concurrency)',
    async (status, conflict) => {
      const { gateway, updates } = fakeServer(() => conflict);
      const error = await updateVersioned(gateway, team('1'), rename, {}).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FhirUnavailableError);
      expect(error).toMatchObject({
        retryable: true,
        status: Number(status),
        message: 'FHIR update CareTeam: still in conflict after 30 tries',
      });
      expect(updates).toHaveLength(30);
    },
  );

  it('does not retry any other refusal', async () => {
    const refusal = new FhirRequestError('HTTP 422', 422);
    const { gateway, updates, reads } = fakeServer(() => refusal);
    await expect(updateVersioned(gateway, team('1'), rename, {})).rejects.toBe(refusal);
    expect(updates).toEqual(['1']);
    expect(reads).toEqual([]);
  });

  it('writes nothing when the re-read version already holds what the plan wants', async () => {
    const { gateway, updates } = fakeServer((n) => (n === 1 ? new FhirConflictError('HTTP 409', 409) : undefined));
    const plan = (latest: CareTeam) => (latest.meta?.versionId === '2' ? undefined : { ...latest, name: 'mine' });
    await expect(updateVersioned(gateway, team('1'), plan, {})).resolves.toMatchObject({ name: 'theirs', meta: { versionId: '2' } });
    expect(updates).toEqual(['1']);
  });
});
