import type * as fhir4 from 'fhir/r4.js';
import type { ClinicianPrincipal } from '../../identity/principal.js';
import { mergeIdentifiers, mergeName, newPractitioner, officialName, planPractitioner } from './practitioner-plan.js';

const ID = { system: 'urn:dk:healthcare:demo:clinician-id', value: 'C-1' };
const AUTH = { system: 'urn:dk:healthcare:demo:authorisation', value: 'A-1' };

const principal = (overrides: Partial<ClinicianPrincipal> = {}): ClinicianPrincipal => ({
  kind: 'clinician',
  realm: 'ehealth',
  idpAlias: 'idp',
  externalId: 'C-1',
  identifiers: [ID, AUTH],
  name: { family: 'Hansen', given: ['Hanne'] },
  organisations: [],
  careTeams: [],
  ...overrides,
});

describe('planPractitioner', () => {
  it('creates an active Practitioner with the asserted identifiers and official name', () => {
    expect(newPractitioner(principal())).toEqual({
      resourceType: 'Practitioner',
      active: true,
      identifier: [ID, AUTH],
      name: [{ use: 'official', family: 'Hansen', given: ['Hanne'] }],
    });
  });

  it('plans nothing when the stored Practitioner already matches, whatever else it holds', () => {
    const stored: fhir4.Practitioner = {
      resourceType: 'Practitioner',
      id: 'p1',
      meta: { versionId: '1' },
      identifier: [AUTH, { system: 'urn:other', value: 'kept' }, { ...ID, use: 'official' }],
      name: [
        { use: 'usual', text: 'Hanne' },
        { use: 'official', family: 'Hansen', given: ['Hanne'] },
      ],
      telecom: [{ system: 'phone', value: '+45 00 00 00 00' }],
    };
    expect(planPractitioner(principal(), stored)).toBeUndefined();
  });

  it('replaces a changed official name and keeps the other names', () => {
    const stored: fhir4.Practitioner = {
      resourceType: 'Practitioner',
      id: 'p1',
      identifier: [ID, AUTH],
      name: [
        { use: 'official', family: 'Hansen', given: ['Hanne'] },
        { use: 'nickname', text: 'H' },
      ],
    };
    const next = planPractitioner(principal({ name: { family: 'Hansen-Berg', given: ['Hanne'] } }), stored);
    expect(next?.name).toEqual([
      { use: 'official', family: 'Hansen-Berg', given: ['Hanne'] },
      { use: 'nickname', text: 'H' },
    ]);
    expect(next?.id).toBe('p1');
  });

  it('leaves the name alone when the assertion carries none', () => {
    expect(mergeName([{ use: 'official', family: 'X' }], officialName(undefined))).toBeUndefined();
  });
});

describe('mergeIdentifiers', () => {
  it('adds missing asserted identifiers and drops other values of the asserted systems only', () => {
    const next = mergeIdentifiers([{ ...AUTH, value: 'A-OLD' }, { system: 'urn:other', value: 'x' }, ID], [ID, AUTH]);
    expect(next).toEqual([{ system: 'urn:other', value: 'x' }, ID, AUTH]);
    expect(mergeIdentifiers([ID, AUTH], [AUTH, ID])).toBeUndefined();
  });
});
