import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';
import { loadFhirSchema } from './medplum-schema.js';
import { applySeed, readSeedFile } from './seed.js';

const CPR = '0101011234';

describe('seeding the embedded FHIR server', () => {
  beforeAll(() => loadFhirSchema());

  const fresh = () => ({ router: new FhirRouter(), repo: new MemoryRepository() });

  it('loads the demo seed completely, under the ids it names', async () => {
    const { router, repo } = fresh();
    const bundle = await readSeedFile('fixtures/fhir/demo.json');
    expect(await applySeed(router, repo, bundle, 'demo.json')).toBe(16);
    const careTeam = await repo.readResource<{ resourceType: 'CareTeam'; managingOrganization?: { reference?: string }[] }>(
      'CareTeam',
      'demo-careteam-copd',
    );
    expect(careTeam.managingOrganization?.[0]?.reference).toBe('Organization/demo-org-gp-practice');
  });

  it('stores a collection under its own ids', async () => {
    const { router, repo } = fresh();
    const bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [{ resource: { resourceType: 'Organization', id: 'o1', name: 'Demo' } }],
    };
    expect(await applySeed(router, repo, bundle, 'inline')).toBe(1);
    await expect(repo.readResource('Organization', 'o1')).resolves.toMatchObject({ name: 'Demo' });
  });

  it('refuses a seed with an invalid resource, naming the entry but not its values', async () => {
    const { router, repo } = fresh();
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          resource: { resourceType: 'Patient', id: 'ok', identifier: [{ system: 'urn:oid:1.2.208.176.1.2', value: CPR }] },
          request: { method: 'PUT', url: 'Patient/ok' },
        },
        { resource: { resourceType: 'Patient', id: 'bad', birthDate: CPR }, request: { method: 'PUT', url: 'Patient/bad' } },
      ],
    };
    const failure = applySeed(router, repo, bundle, 'inline');
    await expect(failure).rejects.toThrow(/#1 PUT Patient: Patient\.birthDate/);
    await expect(failure).rejects.not.toThrow(CPR);
  });

  it('refuses a seed with a resource type the server does not hold, naming it and the held types', async () => {
    const { router, repo } = fresh();
    const bundle = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Encounter', id: 'e1' } }] };
    await expect(applySeed(router, repo, bundle, 'inline')).rejects.toThrow(
      /#0 PUT Encounter: not a type the embedded server holds \(Patient, /,
    );
  });

  it('checks every entry response, since a transaction on MemoryRepository is not atomic', async () => {
    const { router, repo } = fresh();
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: { resourceType: 'Organization', id: 'o1' }, request: { method: 'PUT', url: 'Organization/o1' } },
        { request: { method: 'DELETE', url: 'Organization/does-not-exist' } },
      ],
    };
    await expect(applySeed(router, repo, bundle, 'inline')).rejects.toThrow(/1 of 2 entries failed: #1 DELETE \? → 404/);
  });

  it('refuses what is not a seedable Bundle, and a missing file with its path', async () => {
    const { router, repo } = fresh();
    await expect(applySeed(router, repo, { resourceType: 'Patient' }, 'x.json')).rejects.toThrow('x.json is not a FHIR Bundle');
    await expect(applySeed(router, repo, { resourceType: 'Bundle', type: 'searchset' }, 'x.json')).rejects.toThrow('Bundle.type must be');
    await expect(readSeedFile('fixtures/fhir/missing.json')).rejects.toThrow('cannot read fixtures/fhir/missing.json: ENOENT');
  });
});
