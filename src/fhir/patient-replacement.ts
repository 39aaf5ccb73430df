import { Logger } from '@nestjs/common';
import type * as fhir4 from 'fhir/r4.js';
import type { Identifier } from '../identity/principal.js';
import { AmbiguousIdentityError } from '../identity/linking-errors.js';
import { FhirNotFoundError } from './fhir.errors.js';
import type { FhirGateway } from './fhir.gateway.js';
import type { FhirCallOptions, Stored } from './fhir-resources.js';
import { hasIdentifier } from './fhir-references.js';
import { replacedPatient } from './patient-records.js';

/**
 * Reads of one login spent following `replaced-by` links: a merge and a merge of its result are
 * common, a longer chain is a register to repair, and a citizen's login (which anybody with an eID
 * can start) must not cost unbounded FHIR reads.
 */
export const MAX_REPLACEMENT_READS = 3;

/** Where the `replaced-by` links of a set of records lead, leaving out the records already in hand. */
export type ReplacementExit = { kind: 'local'; id: string } | { kind: 'none'; reason: string } | { kind: 'several' };

/**
 * The record to use instead of a citizen's records that were all replaced (R4 Patient.link, type
 * `replaced-by`: "The patient resource containing this link must no longer be used. The link points
 * forward to another patient resource that must be used in lieu of the patient resource that
 * contains this link"), read from FHIR one hop at a time (at most {@link MAX_REPLACEMENT_READS}),
 * until a record not itself replaced.
 *
 * The identity check: the merge is the register's own statement that the survivor is the same
 * person, so a survivor without a number of the login's system (a record made before the number was
 * known, then merged) is taken; one carrying another number of that system is not — the register
 * then says two things at once (an erroneous merge of two people, or a changed number), and an
 * auditor would expect a person never to be shown a record under another person's number on the
 * strength of a link alone. Every record on the way is held to the same check.
 *
 * What cannot be followed leaves the citizen without a patient, as before: a link to no local
 * Patient (another server, a logical reference), a record not found (404/410), a cycle, a chain past
 * the bound, a survivor under another number. Links leading to several records are several people
 * as far as can be told: refused, as several records in use are. A FHIR failure during a read is
 * thrown as it is (an outage retryable), never taken for "no patient".
 */
export class PatientReplacements {
  private readonly logger = new Logger('CitizenLinker');

  constructor(private readonly gateway: FhirGateway) {}

  async survivor(replaced: Stored<fhir4.Patient>[], ssn: Identifier, options: FhirCallOptions): Promise<Stored<fhir4.Patient> | undefined> {
    const visited = new Set(replaced.map((record) => record.id));
    let records = replaced;
    for (let reads = 0; ; reads++) {
      const exit = replacementExit(records, visited, this.gateway.baseUrl);
      if (exit.kind === 'several') throw new AmbiguousIdentityError('Patient', ssn.system);
      if (exit.kind === 'none') return this.none(exit.reason);
      if (reads >= MAX_REPLACEMENT_READS) return this.none(`the chain of replacements is longer than ${MAX_REPLACEMENT_READS} records`);
      visited.add(exit.id);
      const record = await this.gateway.readResource('Patient', exit.id, options).catch(notFoundAsUndefined);
      if (record === undefined) return this.none('the record replacing it is not found');
      if (carriesAnotherNumber(record, ssn)) return this.none('the record replacing it carries another identifier of the system');
      if (!replacedPatient(record)) return record;
      records = [record];
    }
  }

  /** Messages name no record, identifier or URL: a logical id may be made from a national number. */
  private none(reason: string): undefined {
    this.logger.warn(`citizen login: the Patient records found were replaced, and ${reason}; linked no patient`);
    return undefined;
  }
}

/**
 * Where the `replaced-by` links of `records` lead, other than to a record in `visited` (a link among
 * the records in hand, or back to one, leads nowhere new): to one local Patient, to nowhere that can
 * be followed, or to several places.
 */
export function replacementExit(records: fhir4.Patient[], visited: ReadonlySet<string>, baseUrl: string): ReplacementExit {
  const targets = new Set<string>();
  let unfollowable: string | undefined;
  for (const link of records.flatMap((record) => record.link ?? []).filter((l) => l.type === 'replaced-by')) {
    const id = localPatientId(link.other?.reference, baseUrl);
    if (id === undefined) unfollowable = 'its replacement is not a Patient on this server';
    const key = id ?? `elsewhere ${link.other?.reference ?? ''}`;
    if (id === undefined || !visited.has(id)) targets.add(key);
  }
  if (targets.size > 1) return { kind: 'several' };
  const [target] = targets;
  if (target === undefined) return { kind: 'none', reason: 'its replacements lead back to records already seen' };
  if (unfollowable !== undefined) return { kind: 'none', reason: unfollowable };
  return { kind: 'local', id: target };
}

/**
 * The logical id a reference names on this server: `Patient/{id}` (relative: R4 references.html#literal,
 * against this server's base) or `{baseUrl}/Patient/{id}`, a version (`/_history/{v}`) dropped, since
 * the record to use is the current one. An id is 1 to 64 of [A-Za-z0-9\-.] (R4 datatypes.html#id).
 */
export function localPatientId(reference: string | undefined, baseUrl: string): string | undefined {
  if (reference === undefined) return undefined;
  const path = reference.startsWith(`${baseUrl}/`) ? reference.slice(baseUrl.length + 1) : reference;
  return /^Patient\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/.exec(path)?.[1];
}

/** The record carries a number of the login's system, and not the login's own. */
export function carriesAnotherNumber(record: fhir4.Patient, ssn: Identifier): boolean {
  return (record.identifier ?? []).some((i) => i.system === ssn.system) && !hasIdentifier(record, ssn);
}

/** A read answered 404 or 410 (R4 http.html#read) as nothing; any other failure as it is. */
function notFoundAsUndefined(error: unknown): undefined {
  if (error instanceof FhirNotFoundError) return undefined;
  throw error;
}
