import type { IdentityLink, IdentityLinker } from '../login/identity-link.js';
import type { Principal } from '../login/principal.js';
import type { CitizenLinker } from './citizen-linker.js';
import type { ClinicianLinker } from './clinician/clinician-linker.js';

/**
 * The {@link IdentityLinker} seam implemented on FHIR: citizens to a Patient, clinicians to a
 * Practitioner with roles and care teams; supplier employees (`generic`) are not in FHIR at all,
 * so they cost no FHIR call.
 */
export class FhirIdentityLinker implements IdentityLinker {
  constructor(
    private readonly citizens: CitizenLinker,
    private readonly clinicians: ClinicianLinker,
  ) {}

  link(principal: Principal): Promise<IdentityLink> {
    switch (principal.kind) {
      case 'citizen':
        return this.citizens.link(principal);
      case 'clinician':
        return this.clinicians.link(principal);
      case 'generic':
        return Promise.resolve({ kind: 'none' });
    }
  }
}
