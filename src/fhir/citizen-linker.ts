import type { IdentityLink } from '../identity/identity-link.js';
import type { CitizenPrincipal } from '../identity/principal.js';
import { AmbiguousIdentityError } from '../identity/linking-errors.js';
import { FhirRequestError } from './fhir.errors.js';
import type { FhirGateway } from './fhir.gateway.js';
import { hasIdentifier, searchToken } from './fhir-references.js';

/**
 * Citizen login (DOMAIN.md): search `Patient?identifier={system}|{ssn}` — one round trip. One match
 * links the Patient; none still lets the citizen in, with no patient and so no rights; more than
 * one links nobody, since picking one could show a citizen another person's record.
 */
export class CitizenLinker {
  constructor(private readonly gateway: FhirGateway) {}

  async link(principal: CitizenPrincipal): Promise<IdentityLink> {
    // `_count=2` is enough to tell one match from several, and keeps a bad register from being read whole.
    const { matches } = await this.gateway.search('Patient', { identifier: searchToken(principal.ssn), _count: '2' });
    if (matches.length > 1) throw new AmbiguousIdentityError('Patient', principal.ssn.system);
    const [patient] = matches;
    // A server that ignored the identifier parameter would hand back some other person: fail closed.
    if (patient !== undefined && !hasIdentifier(patient, principal.ssn))
      throw new FhirRequestError('FHIR search Patient: a match lacks the searched identifier');
    return { kind: 'patient', patient: patient === undefined ? undefined : this.gateway.absoluteUrl(`Patient/${patient.id}`) };
  }
}
