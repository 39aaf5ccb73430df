import { Inject, Injectable, Optional } from '@nestjs/common';
import { CLOCK, systemClock, type Clock } from '../common/clock.js';
import type * as fhir4 from 'fhir/r4.js';
import { careTeamInForce, isParticipantNow } from './clinician/membership-plan.js';
import type { FhirGateway } from './fhir.gateway.js';
import { FhirGateways } from './fhir-gateways.js';
import { FhirNotFoundError, FhirRequestError } from './fhir.errors.js';
import { pointsTo, resourceUrl } from './fhir-references.js';
import { replacedPatient } from './patient-records.js';

/** What a context choice needs to know of a CareTeam (R4 CareTeam.participant, .managingOrganization). */
export interface CareTeamFacts {
  careTeam: string;
  organization?: string;
  /** The practitioner is a participant now: {@link isParticipantNow}. */
  member: boolean;
  /** The team is in force: {@link careTeamInForce}. */
  inForce: boolean;
}

export interface EpisodeFacts {
  episode: string;
  /** The episode is a valid record: {@link episodeInForce}. */
  inForce: boolean;
  patient?: string;
  teams: string[];
  organization?: string;
}

/**
 * FHIR reads behind context listing and selection (one round trip each; a listing, one a page).
 * Absolute URLs in, absolute URLs out; a missing resource is `undefined`; an outage is
 * FhirUnavailableError, as at login.
 */
@Injectable()
export class ContextDirectory {
  constructor(
    @Inject(FhirGateways) private readonly gateways: FhirGateways,
    // The clock the linker writes memberships' starts with (fhir.module.ts), so a test clock reads them as written.
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {}

  /** The FHIR server of `realm`: its base URL makes context ids absolute and checks them. */
  gateway(realm: string): FhirGateway {
    return this.gateways.forRealm(realm);
  }

  async careTeam(realm: string, id: string, practitioner: string): Promise<CareTeamFacts | undefined> {
    const gateway = this.gateway(realm);
    const team = await this.read(gateway, 'CareTeam', id);
    if (!team) return undefined;
    const member = this.relative(gateway, practitioner);
    return {
      careTeam: gateway.absoluteUrl(`CareTeam/${team.id}`),
      organization: resourceUrl(team.managingOrganization?.[0]?.reference, gateway.baseUrl),
      member: (team.participant ?? []).some((p) => isParticipantNow(p, member, this.clock.now().getTime())),
      inForce: careTeamInForce(team),
    };
  }

  async episode(realm: string, id: string): Promise<EpisodeFacts | undefined> {
    const gateway = this.gateway(realm);
    const episode = await this.read(gateway, 'EpisodeOfCare', id);
    return episode ? episodeFacts(gateway, episode) : undefined;
  }

  /**
   * The Patient exists and no other replaced it (patient-records.ts: R4 says such a record "must no
   * longer be used"). An inactive one may be chosen: R4 notes it may be a patient not seen for a while.
   */
  async patientNotReplaced(realm: string, id: string): Promise<boolean> {
    const patient = await this.read(this.gateway(realm), 'Patient', id);
    return patient !== undefined && !replacedPatient(patient);
  }

  /**
   * A citizen's episodes of care (R4 EpisodeOfCare?patient=), every page of them (R4 http.html#paging).
   * A server that ignored the `patient` parameter (R4 search.html#errors, lenient handling) would list
   * other patients' episodes, teams and organisations to the citizen: a match naming another patient
   * fails the listing closed, as linking does (citizen-linker.ts, practitioner-role-sync.ts).
   */
  async episodesOf(realm: string, patient: string): Promise<EpisodeFacts[]> {
    const gateway = this.gateway(realm);
    const reference = this.relative(gateway, patient);
    const { matches } = await gateway.searchAll('EpisodeOfCare', { patient: reference, _count: '100' });
    if (matches.some((episode) => !pointsTo(episode.patient, reference)))
      throw new FhirRequestError('FHIR search EpisodeOfCare: a match lacks the searched patient');
    return matches.map((episode) => episodeFacts(gateway, episode));
  }

  /** `{base}/Type/id` or `Type/id` → `Type/id` (how references are stored on this server). */
  private relative(gateway: FhirGateway, reference: string): string {
    return reference.startsWith(`${gateway.baseUrl}/`) ? reference.slice(gateway.baseUrl.length + 1) : reference;
  }

  private async read<K extends 'CareTeam' | 'EpisodeOfCare' | 'Patient'>(gateway: FhirGateway, type: K, id: string) {
    try {
      return await gateway.readResource(type, id);
    } catch (error) {
      if (error instanceof FhirNotFoundError) return undefined;
      throw error;
    }
  }
}

/** What a context choice needs to know of an EpisodeOfCare, its references as absolute URLs on `gateway`. */
export function episodeFacts(gateway: FhirGateway, episode: fhir4.EpisodeOfCare): EpisodeFacts {
  return {
    episode: gateway.absoluteUrl(`EpisodeOfCare/${episode.id}`),
    inForce: episodeInForce(episode),
    patient: episode.patient?.reference ? gateway.absoluteUrl(episode.patient.reference) : undefined,
    teams: (episode.team ?? []).flatMap((t) => (t.reference ? [gateway.absoluteUrl(t.reference)] : [])),
    organization: resourceUrl(episode.managingOrganization?.reference, gateway.baseUrl),
  };
}

/**
 * R4 EpisodeOfCare.status, a modifier: `entered-in-error` was never a valid record and `cancelled`
 * never took place; every other status (planned to finished) is an episode whose records are real.
 */
export function episodeInForce(episode: fhir4.EpisodeOfCare): boolean {
  return episode.status !== 'entered-in-error' && episode.status !== 'cancelled';
}
