import { loadFhirSchema } from './medplum-schema.js';
import { parameterNames, unknownSearchParameters } from './strict-search.js';

describe('unknownSearchParameters', () => {
  beforeAll(() => loadFhirSchema());

  it('accepts R4 parameters, with modifiers and chains, and result parameters', () => {
    expect(unknownSearchParameters('Patient', ['identifier', 'identifier:of-type', '_id', '_count', '_include'])).toEqual([]);
    expect(unknownSearchParameters('PractitionerRole', ['practitioner', 'organization.name'])).toEqual([]);
    expect(unknownSearchParameters('CareTeam', ['participant', 'identifier'])).toEqual([]);
  });

  it('accepts the custom EpisodeOfCare team parameter this service installs', () => {
    expect(unknownSearchParameters('EpisodeOfCare', ['team', 'patient'])).toEqual([]);
  });

  it('names parameters the resource type does not have', () => {
    expect(unknownSearchParameters('Patient', ['identifer', 'team', '_bogus'])).toEqual(['identifer', 'team', '_bogus']);
  });

  it('lists the parameter names of a query once each', () => {
    expect(parameterNames('a=1&b=2&a=3')).toEqual(['a', 'b']);
  });
});
