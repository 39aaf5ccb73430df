import { readFileSync } from 'node:fs';
import { malformedField } from './fhir-resource-shapes.js';

describe('malformedField', () => {
  it('passes every resource of the demo seed', () => {
    const seed = JSON.parse(readFileSync('fixtures/fhir/demo.json', 'utf8')) as { entry: { resource: { resourceType: string } }[] };
    expect(seed.entry.map((e) => [e.resource.resourceType, malformedField(e.resource)])).toEqual(
      seed.entry.map((e) => [e.resource.resourceType, undefined]),
    );
  });

  it('passes what it does not read, and a null holding the place of a given name that has only an extension (R4 json.html)', () => {
    const practitioner = {
      resourceType: 'Practitioner',
      id: 'p',
      name: [{ use: 'official', given: ['Hanne', null] }],
      _name: 'anything',
      qualification: 'not read, not checked',
    };
    expect(malformedField(practitioner)).toBeUndefined();
    expect(malformedField({ resourceType: 'AuditEvent', id: 'a', agent: 'not read here' })).toBeUndefined();
    expect(malformedField({ resourceType: 'constructor' })).toBeUndefined();
    expect(malformedField({})).toBeUndefined();
  });

  it.each([
    [{ resourceType: 'Patient', id: 'x/../../Patient/other' }, 'id'],
    [{ resourceType: 'CareTeam', id: '..' }, 'id'],
    [{ resourceType: 'Organization', id: 'o'.repeat(65) }, 'id'],
    [{ resourceType: 'Patient', identifier: 'not-a-list' }, 'identifier'],
    [{ resourceType: 'Patient', identifier: [{ system: 'urn:x', value: 'v' }, null] }, 'identifier.1'],
    [{ resourceType: 'Organization', identifier: [{ system: 7 }] }, 'identifier.0.system'],
    [{ resourceType: 'Practitioner', meta: { versionId: 2 } }, 'meta.versionId'],
    [{ resourceType: 'Practitioner', active: 'yes' }, 'active'],
    [{ resourceType: 'Practitioner', name: [{ given: 'Hanne' }] }, 'name.0.given'],
    [{ resourceType: 'PractitionerRole', period: { end: 20240101 } }, 'period.end'],
    [{ resourceType: 'PractitionerRole', organization: 'Organization/o' }, 'organization'],
    [{ resourceType: 'CareTeam', participant: [{ role: [null] }] }, 'participant.0.role.0'],
    [{ resourceType: 'CareTeam', status: ['active'] }, 'status'],
    [{ resourceType: 'EpisodeOfCare', status: null }, 'status'],
    [{ resourceType: 'EpisodeOfCare', patient: { reference: null } }, 'patient.reference'],
    [{ resourceType: 'EpisodeOfCare', managingOrganization: [{ reference: 'Organization/o' }] }, 'managingOrganization'],
  ])('names where %j breaks a field it reads: %s', (resource, path) => {
    expect(malformedField(resource)).toBe(path);
  });
});
