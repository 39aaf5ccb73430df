import type * as fhir4 from 'fhir/r4.js';
import { AmbiguousIdentityError } from '../identity/linking-errors.js';
import { FhirNotFoundError, FhirUnavailableError } from './fhir.errors.js';
import type { FhirGateway } from './fhir.gateway.js';
import type { Stored } from './fhir-resources.js';
import { carriesAnotherNumber, localPatientId, PatientReplacements, replacementExit } from './patient-replacement.js';

const BASE = 'http://fhir.test/fhir';
const CPR = 'urn:oid:1.2.208.176.1.2';
const ssn = { system: CPR, value: '0101011234' };

const patient = (id: string, extra: Partial<fhir4.Patient> = {}): Stored<fhir4.Patient> => ({ resourceType: 'Patient', id, ...extra });
const replacedBy = (id: string, ...references: string[]): Stored<fhir4.Patient> =>
  patient(id, {
    identifier: [{ ...ssn }],
    link: references.map((reference) => ({ type: 'replaced-by' as const, other: { reference } })),
  });

/** A FHIR server holding `records`: any other read is a 404, one of `failing` an outage. */
function fakeServer(records: Stored<fhir4.Patient>[], failing: string[] = []) {
  const reads: string[] = [];
  const gateway = {
    baseUrl: BASE,
    readResource: async (_type: 'Patient', id: string) => {
      reads.push(id);
      if (failing.includes(id)) throw new FhirUnavailableError('FHIR read Patient: HTTP 503', 503);
      const record = records.find((r) => r.id === id);
      if (record === undefined) throw new FhirNotFoundError('FHIR read Patient: HTTP 404', 404);
      return record;
    },
  };
  return { replacements: new PatientReplacements(gateway as unknown as FhirGateway), reads };
}

describe('the record that replaced a citizen’s records (R4 Patient.link replaced-by)', () => {
  it('names a Patient on this server by a relative or absolute reference, a version dropped; nothing else', () => {
    expect(localPatientId('Patient/a-1', BASE)).toBe('a-1');
    expect(localPatientId(`${BASE}/Patient/a-1`, BASE)).toBe('a-1');
    expect(localPatientId('Patient/a-1/_history/3', BASE)).toBe('a-1');
    expect(localPatientId('http://elsewhere.test/fhir/Patient/a-1', BASE)).toBeUndefined();
    expect(localPatientId('RelatedPerson/a-1', BASE)).toBeUndefined();
    expect(localPatientId('Patient/a-1?x=1', BASE)).toBeUndefined();
    expect(localPatientId(undefined, BASE)).toBeUndefined();
  });

  it('leads out of the records in hand to one Patient, nowhere, or several', () => {
    const seen = new Set(['a', 'b']);
    expect(replacementExit([replacedBy('a', 'Patient/b'), replacedBy('b', 'Patient/c')], seen, BASE)).toEqual({ kind: 'local', id: 'c' });
    expect(replacementExit([replacedBy('a', 'Patient/c'), replacedBy('b', `${BASE}/Patient/c`)], seen, BASE)).toEqual({
      kind: 'local',
      id: 'c',
    });
    expect(replacementExit([replacedBy('a', 'Patient/b'), replacedBy('b', 'Patient/a')], seen, BASE)).toMatchObject({ kind: 'none' });
    expect(replacementExit([replacedBy('a', 'http://elsewhere.test/Patient/c')], seen, BASE)).toMatchObject({ kind: 'none' });
    expect(replacementExit([replacedBy('a', 'Patient/c'), replacedBy('b', 'Patient/d')], seen, BASE)).toEqual({ kind: 'several' });
  });

  it('holds a record to the login’s number only when it carries a number of that system', () => {
    expect(carriesAnotherNumber(patient('s'), ssn)).toBe(false);
    expect(carriesAnotherNumber(patient('s', { identifier: [{ system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: '1' }] }), ssn)).toBe(
      false,
    );
    expect(carriesAnotherNumber(patient('s', { identifier: [{ ...ssn }] }), ssn)).toBe(false);
    expect(carriesAnotherNumber(patient('s', { identifier: [{ system: CPR, value: '0202021234' }] }), ssn)).toBe(true);
  });

  it('follows the link to the survivor, one read per hop, through a chain of merges', async () => {
    const { replacements, reads } = fakeServer([replacedBy('m1', 'Patient/s'), patient('s', { active: false })]);
    await expect(replacements.survivor([replacedBy('old', 'Patient/m1')], ssn, {})).resolves.toMatchObject({ id: 's' });
    expect(reads).toEqual(['m1', 's']);
  });

  it('takes no survivor past three reads, round a cycle, or under another number of the system', async () => {
    const chain = fakeServer([replacedBy('1', 'Patient/2'), replacedBy('2', 'Patient/3'), replacedBy('3', 'Patient/4'), patient('4')]);
    await expect(chain.replacements.survivor([replacedBy('0', 'Patient/1')], ssn, {})).resolves.toBeUndefined();
    expect(chain.reads).toEqual(['1', '2', '3']);
    const cycle = fakeServer([replacedBy('1', 'Patient/0')]);
    await expect(cycle.replacements.survivor([replacedBy('0', 'Patient/1')], ssn, {})).resolves.toBeUndefined();
    expect(cycle.reads).toEqual(['1']);
    const other = fakeServer([patient('s', { identifier: [{ system: CPR, value: '0202021234' }] })]);
    await expect(other.replacements.survivor([replacedBy('0', 'Patient/s')], ssn, {})).resolves.toBeUndefined();
  });

  it('takes none for a record not found, reads nothing for a link off this server, refuses several survivors', async () => {
    const { replacements, reads } = fakeServer([patient('s'), patient('t')]);
    await expect(replacements.survivor([replacedBy('0', 'Patient/gone')], ssn, {})).resolves.toBeUndefined();
    await expect(replacements.survivor([replacedBy('0', 'http://elsewhere.test/fhir/Patient/s')], ssn, {})).resolves.toBeUndefined();
    expect(reads).toEqual(['gone']);
    await expect(replacements.survivor([replacedBy('0', 'Patient/s'), replacedBy('1', 'Patient/t')], ssn, {})).rejects.toBeInstanceOf(
      AmbiguousIdentityError,
    );
  });

  it('passes an outage during a read on as it is, never as no patient', async () => {
    const { replacements } = fakeServer([], ['s']);
    await expect(replacements.survivor([replacedBy('0', 'Patient/s')], ssn, {})).rejects.toBeInstanceOf(FhirUnavailableError);
  });
});
