import type * as fhir4 from 'fhir/r4.js';
import type { ClinicianPrincipal, Identifier } from '../../identity/principal.js';
import { AmbiguousIdentityError } from '../../identity/linking-errors.js';
import { FhirConflictError, FhirPreconditionFailedError, FhirRequestError, FhirUnavailableError } from '../fhir.errors.js';
import type { FhirGateway } from '../fhir.gateway.js';
import type { FhirCallOptions, Stored } from '../fhir-resources.js';
import { hasIdentifier, searchToken } from '../fhir-references.js';
import { newPractitioner, planPractitioner } from './practitioner-plan.js';
import { updateVersioned } from './versioned-update.js';

/**
 * Finds the clinician's Practitioner by the principal's first identifier and makes it match the
 * assertion. A returning clinician costs one search; the first login adds one conditional create.
 */
export class PractitionerSync {
  constructor(private readonly gateway: FhirGateway) {}

  async sync(principal: ClinicianPrincipal, options: FhirCallOptions): Promise<Stored<fhir4.Practitioner>> {
    const lookup = principal.identifiers[0];
    if (lookup === undefined) throw new TypeError('a clinician principal needs at least one identifier');
    let current = await this.find(lookup, options);
    if (current === undefined) {
      const { resource, created } = await this.create(principal, lookup, options);
      if (created) return resource;
      current = resource;
    }
    return updateVersioned(this.gateway, current, (latest) => planPractitioner(principal, latest), options);
  }

  /**
   * The clinician's Practitioner, if there is one. `_count=2` asks for enough to tell one match from
   * several, but a server need not return as many as asked (R4 search.html#count): a `next` link
   * (R4 http.html#paging) is followed, and `Bundle.total` counts the whole search (R4 bundle.html), so
   * a second Practitioner on a later page, or only counted, is several all the same — never one picked.
   */
  private async find(lookup: Identifier, options: FhirCallOptions): Promise<Stored<fhir4.Practitioner> | undefined> {
    const { matches, total = 0 } = await this.gateway.searchOneOrSeveral('Practitioner', { identifier: searchToken(lookup) }, options);
    if (matches.length > 1 || total > 1) throw new AmbiguousIdentityError('Practitioner', lookup.system);
    const [found] = matches;
    if (found !== undefined && !hasIdentifier(found, lookup))
      throw new FhirRequestError('FHIR search Practitioner: a match lacks the searched identifier');
    return found;
  }

  /**
   * R4 http.html#ccreate: with If-None-Exist, concurrent first logins end with one Practitioner. A server
   * guarding that uniqueness may answer the login that lost the race with 409 Conflict: the Practitioner
   * exists now, so it is found as a returning clinician's is, with the same checks. A lost race is
   * transient (R4 http.html#concurrency): not finding it yet is retryable. A 412 says the criteria match
   * several (R4 http.html#ccreate: "not selective enough"): Practitioners with the identifier were
   * created since the search, so it is refused as that search would now refuse it, never one picked.
   */
  private async create(
    principal: ClinicianPrincipal,
    lookup: Identifier,
    options: FhirCallOptions,
  ): Promise<{ resource: Stored<fhir4.Practitioner>; created: boolean }> {
    try {
      const isMeant = (found: fhir4.Practitioner) => hasIdentifier(found, lookup);
      return await this.gateway.createIfNoneExist(newPractitioner(principal), { identifier: searchToken(lookup) }, isMeant, options);
    } catch (error) {
      if (error instanceof FhirPreconditionFailedError) throw new AmbiguousIdentityError('Practitioner', lookup.system);
      if (!(error instanceof FhirConflictError)) throw error;
      const found = await this.find(lookup, options);
      if (found === undefined)
        throw new FhirUnavailableError('FHIR create Practitioner: HTTP 409, and no Practitioner found after it', 409);
      return { resource: found, created: false };
    }
  }
}
