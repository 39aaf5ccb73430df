import type * as fhir4 from 'fhir/r4.js';
import type { ClinicianPrincipal } from '../../identity/principal.js';
import { AmbiguousIdentityError } from '../../identity/linking-errors.js';
import { FhirRequestError } from '../fhir.errors.js';
import type { FhirGateway, Stored } from '../fhir.gateway.js';
import { hasIdentifier, searchToken } from '../fhir-references.js';
import { newPractitioner, planPractitioner } from './practitioner-plan.js';
import { updateVersioned } from './versioned-update.js';

/**
 * Finds the clinician's Practitioner by the principal's first identifier and makes it match the
 * assertion. A returning clinician costs one search; the first login adds one conditional create.
 */
export class PractitionerSync {
  constructor(private readonly gateway: FhirGateway) {}

  async sync(principal: ClinicianPrincipal): Promise<Stored<fhir4.Practitioner>> {
    const lookup = principal.identifiers[0];
    if (lookup === undefined) throw new TypeError('a clinician principal needs at least one identifier');
    const criteria = { identifier: searchToken(lookup) };

    // `_count=2` is enough to tell one match from several.
    const { matches } = await this.gateway.search('Practitioner', { ...criteria, _count: '2' });
    if (matches.length > 1) throw new AmbiguousIdentityError('Practitioner', lookup.system);
    let current = matches[0];
    if (current !== undefined && !hasIdentifier(current, lookup))
      throw new FhirRequestError('FHIR search Practitioner: a match lacks the searched identifier');
    if (current === undefined) {
      // R4 http.html#ccreate: with If-None-Exist, concurrent first logins end with one Practitioner.
      const { resource, created } = await this.gateway.createIfNoneExist(newPractitioner(principal), criteria);
      if (created) return resource;
      current = resource;
    }
    return updateVersioned(this.gateway, current, (latest) => planPractitioner(principal, latest));
  }
}
