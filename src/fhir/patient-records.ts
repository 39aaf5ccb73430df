import type * as fhir4 from 'fhir/r4.js';

/*
 * Which Patient records stand for the person, read from R4's two modifiers of a Patient (patient.html).
 * `link.type = replaced-by`: "The patient resource containing this link must no longer be used" — a
 * merge's leftover, never chosen (when every record found is one, its link is followed instead:
 * patient-replacement.ts). `active = false`: the record is not in use, which R4 notes many systems
 * also say of a patient not seen for a while — still the person's record, so taken when there is no
 * record in use beside it.
 */

/** The record must no longer be used: another replaced it (R4 Patient.link.type). */
export function replacedPatient(patient: fhir4.Patient): boolean {
  return (patient.link ?? []).some((link) => link.type === 'replaced-by');
}

/**
 * The records that stand for the person among `matches` for one identifier: those not replaced, and
 * of them the ones in use (`active` not false) if there are any.
 */
export function recordsStandingFor<T extends fhir4.Patient>(matches: T[]): T[] {
  const valid = matches.filter((patient) => !replacedPatient(patient));
  const inUse = valid.filter((patient) => patient.active !== false);
  return inUse.length > 0 ? inUse : valid;
}

/** How many of `matches` are in use: more than one, and no later page can make the answer one record. */
export function recordsInUse(matches: fhir4.Patient[]): number {
  return matches.filter((patient) => !replacedPatient(patient) && patient.active !== false).length;
}
