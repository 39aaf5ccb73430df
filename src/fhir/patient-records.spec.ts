import type * as fhir4 from 'fhir/r4.js';
import { recordsInUse, recordsStandingFor, replacedPatient } from './patient-records.js';

const patient = (id: string, extra: Partial<fhir4.Patient> = {}): fhir4.Patient => ({ resourceType: 'Patient', id, ...extra });
const replaced = (id: string): fhir4.Patient => patient(id, { link: [{ type: 'replaced-by', other: { reference: 'Patient/x' } }] });
const ids = (records: fhir4.Patient[]) => records.map((r) => r.id);

describe('patient records standing for a person (R4 Patient.active, Patient.link)', () => {
  it('never takes a record another replaced; takes the ones in use over inactive ones, and inactive ones when none is', () => {
    expect(replacedPatient(replaced('a'))).toBe(true);
    expect(replacedPatient(patient('a', { link: [{ type: 'seealso', other: { reference: 'Patient/x' } }] }))).toBe(false);
    expect(ids(recordsStandingFor([replaced('old'), patient('new')]))).toEqual(['new']);
    expect(ids(recordsStandingFor([patient('off', { active: false }), patient('on', { active: true }), patient('plain')]))).toEqual([
      'on',
      'plain',
    ]);
    expect(ids(recordsStandingFor([patient('off', { active: false }), replaced('old')]))).toEqual(['off']);
    expect(ids(recordsStandingFor([replaced('old')]))).toEqual([]);
  });

  it('counts the records in use, which alone can make an answer ambiguous before it is complete', () => {
    expect(recordsInUse([patient('a'), patient('b', { active: false }), replaced('c')])).toBe(1);
    expect(recordsInUse([patient('a'), patient('b', { active: true })])).toBe(2);
  });
});
