import { Inject, Injectable } from '@nestjs/common';
import type * as fhir4 from 'fhir/r4.js';
import { isActiveParticipant } from './clinician/membership-plan.js';
import { FhirGateway } from './fhir.gateway.js';
import { FhirNotFoundError } from './fhir.errors.js';

/** What a context choice needs to know of a CareTeam (R4 CareTeam.participant, .managingOrganization). */
export interface CareTeamFacts {
  careTeam: string;
  organization?: string;
  /** The practitioner is an active participant (no ended period). */
  member: boolean;
}

export interface EpisodeFacts {
  episode: string;
  patient?: string;
  teams: string[];
  organization?: string;
}

/**
 * FHIR reads behind context listing and selection (one round trip each). Absolute URLs in, absolute
 * URLs out; a missing resource is `undefined`; an outage is FhirUnavailableError, as at login.
 */
@Injectable()
export class ContextDirectory {
  constructor(@Inject(FhirGateway) private readonly gateway: FhirGateway) {}

  async careTeam(id: string, practitioner: string): Promise<CareTeamFacts | undefined> {
    const team = await this.read('CareTeam', id);
    if (!team) return undefined;
    const member = this.relative(practitioner);
    return {
      careTeam: this.gateway.absoluteUrl(`CareTeam/${team.id}`),
      organization: team.managingOrganization?.[0]?.reference ? this.gateway.absoluteUrl(team.managingOrganization[0].reference) : undefined,
      member: (team.participant ?? []).some((p) => isActiveParticipant(p, member)),
    };
  }

  async episode(id: string): Promise<EpisodeFacts | undefined> {
    const episode = await this.read('EpisodeOfCare', id);
    return episode ? this.episodeFacts(episode) : undefined;
  }

  async patientExists(id: string): Promise<boolean> {
    return (await this.read('Patient', id)) !== undefined;
  }

  /** A citizen's episodes of care (R4 EpisodeOfCare?patient=). */
  async episodesOf(patient: string): Promise<EpisodeFacts[]> {
    const page = await this.gateway.search('EpisodeOfCare', { patient: this.relative(patient) });
    return page.matches.map((episode) => this.episodeFacts(episode));
  }

  private episodeFacts(episode: fhir4.EpisodeOfCare): EpisodeFacts {
    return {
      episode: this.gateway.absoluteUrl(`EpisodeOfCare/${episode.id}`),
      patient: episode.patient?.reference ? this.gateway.absoluteUrl(episode.patient.reference) : undefined,
      teams: (episode.team ?? []).flatMap((t) => (t.reference ? [this.gateway.absoluteUrl(t.reference)] : [])),
      organization: episode.managingOrganization?.reference ? this.gateway.absoluteUrl(episode.managingOrganization.reference) : undefined,
    };
  }

  /** `{base}/Type/id` or `Type/id` → `Type/id` (how references are stored on this server). */
  private relative(reference: string): string {
    return reference.startsWith(`${this.gateway.baseUrl}/`) ? reference.slice(this.gateway.baseUrl.length + 1) : reference;
  }

  private async read<K extends 'CareTeam' | 'EpisodeOfCare' | 'Patient'>(type: K, id: string) {
    try {
      return await this.gateway.readResource(type, id);
    } catch (error) {
      if (error instanceof FhirNotFoundError) return undefined;
      throw error;
    }
  }
}
