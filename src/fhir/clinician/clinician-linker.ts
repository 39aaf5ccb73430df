import type { Clock } from '../../common/clock.js';
import type { IdentityLink } from '../../identity/identity-link.js';
import type { ClinicianPrincipal } from '../../identity/principal.js';
import type { FhirGateway } from '../fhir.gateway.js';
import { referenceTo, searchToken } from '../fhir-references.js';
import type { FhirCallOptions } from '../fhir-resources.js';
import { CareTeamSync } from './care-team-sync.js';
import { KeyedMutex } from './keyed-mutex.js';
import { PractitionerRoleSync } from './practitioner-role-sync.js';
import { PractitionerSync } from './practitioner-sync.js';

/**
 * Clinician login (DOMAIN.md): Practitioner, PractitionerRole and CareTeam membership are made to
 * match the assertion, writing only what changed.
 *
 * Exactly one of each resource under concurrent first logins rests on two server guarantees, which
 * hold for any FHIR server this service may be pointed at that implements them: conditional create
 * (`If-None-Exist`, R4 http.html#ccreate) evaluated atomically with the insert, for the Practitioner and
 * each PractitionerRole (a server answering the loser 409 instead of the winner's resource will do: the
 * loser searches for it); and versioned updates (`If-Match`, R4 http.html#concurrency) for CareTeam
 * participants, retried on 412 (or 409) by re-reading and re-planning. The e2e suite checks both with
 * twenty service instances racing one server. On top of that, logins of one clinician are
 * serialised within this instance (keyed by the lookup identifier): they would converge anyway,
 * but serialised the followers find everything in place and write nothing, instead of racing into
 * 412s. Across instances that lock does not reach; there the server guarantees carry it alone — so
 * a server whose conditional create is not atomic can still end with duplicates.
 */
export class ClinicianLinker {
  private readonly practitioners: PractitionerSync;
  private readonly roles: PractitionerRoleSync;
  private readonly careTeams: CareTeamSync;
  private readonly mutex = new KeyedMutex();

  constructor(
    private readonly gateway: FhirGateway,
    private readonly clock: Clock,
  ) {
    this.practitioners = new PractitionerSync(gateway);
    this.roles = new PractitionerRoleSync(gateway);
    this.careTeams = new CareTeamSync(gateway);
  }

  link(principal: ClinicianPrincipal, options: FhirCallOptions): Promise<IdentityLink> {
    const lookup = principal.identifiers[0];
    if (lookup === undefined) return Promise.reject(new TypeError('a clinician principal needs at least one identifier'));
    return this.mutex.runExclusive(searchToken(lookup), () => this.linkExclusively(principal, options));
  }

  private async linkExclusively(principal: ClinicianPrincipal, options: FhirCallOptions): Promise<IdentityLink> {
    const practitioner = referenceTo(await this.practitioners.sync(principal, options));
    const now = this.clock.now().toISOString();
    const [organisations, careTeams] = await Promise.all([
      this.roles.sync(practitioner, principal.organisations, now, options),
      this.careTeams.sync(practitioner, principal.careTeams, now, options),
    ]);
    return { kind: 'practitioner', practitioner: this.gateway.absoluteUrl(practitioner), organisations, careTeams };
  }
}
