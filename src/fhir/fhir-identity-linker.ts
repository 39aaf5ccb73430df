import type { Clock } from '../common/clock.js';
import type { IdentityLink, IdentityLinker } from '../identity/identity-link.js';
import { IdentityDirectoryRefusedError, IdentityDirectoryUnavailableError } from '../identity/linking-errors.js';
import type { Principal } from '../identity/principal.js';
import { CitizenLinker } from './citizen-linker.js';
import { ClinicianLinker } from './clinician/clinician-linker.js';
import { FhirError } from './fhir.errors.js';
import type { FhirGateway } from './fhir.gateway.js';
import type { FhirGateways } from './fhir-gateways.js';
import type { FhirCallOptions } from './fhir-resources.js';

/**
 * The {@link IdentityLinker} seam implemented on FHIR: citizens to a Patient, clinicians to a
 * Practitioner with roles and care teams, on the FHIR server of the principal's realm; supplier
 * employees (`generic`) are not in FHIR at all, so they cost no FHIR call.
 */
export class FhirIdentityLinker implements IdentityLinker {
  private readonly linkers = new Map<FhirGateway, { citizens: CitizenLinker; clinicians: ClinicianLinker }>();

  constructor(
    private readonly gateways: FhirGateways,
    private readonly clock: Clock,
    /** `fhir.loginDeadlineMs`: every FHIR request of one login ends by then. */
    private readonly deadlineMs: number,
  ) {}

  link(principal: Principal): Promise<IdentityLink> {
    return this.linkOnFhir(principal, { signal: AbortSignal.timeout(this.deadlineMs) }).catch((error: unknown) => {
      throw asLinkingError(error);
    });
  }

  private linkOnFhir(principal: Principal, options: FhirCallOptions): Promise<IdentityLink> {
    switch (principal.kind) {
      case 'citizen':
        return this.linkersFor(principal.realm).citizens.link(principal, options);
      case 'clinician':
        return this.linkersFor(principal.realm).clinicians.link(principal, options);
      case 'generic':
        return Promise.resolve({ kind: 'none' });
    }
  }

  /** One clinician linker per server, so its per-clinician queue covers every login on that server. */
  private linkersFor(realm: string) {
    const gateway = this.gateways.forRealm(realm);
    let linkers = this.linkers.get(gateway);
    if (!linkers) {
      linkers = { citizens: new CitizenLinker(gateway), clinicians: new ClinicianLinker(gateway, this.clock) };
      this.linkers.set(gateway, linkers);
    }
    return linkers;
  }
}

/** FHIR's failures in the login's words (identity/linking-errors); the message names no identifier. */
function asLinkingError(error: unknown): unknown {
  if (!(error instanceof FhirError)) return error;
  return error.retryable
    ? new IdentityDirectoryUnavailableError(error.message, { cause: error })
    : new IdentityDirectoryRefusedError(error.message, { cause: error });
}
