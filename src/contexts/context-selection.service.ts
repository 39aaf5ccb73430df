import { Injectable } from '@nestjs/common';
import { citizenEpisodeRefusal } from '../fhir/citizen-episode.js';
import { ContextDirectory } from '../fhir/context-directory.js';
import { OAuthError } from '../protocol/oauth-error.js';
import type { IdentityLink } from '../identity/identity-link.js';
import type { SessionContext } from '../identity/session-context.js';
import type { SessionRow } from '../storage/session.repository.js';
import { CONTEXT_PARAMETERS, contextId, type ContextParameter } from './context-reference.js';

export type ContextRequest = Partial<Record<ContextParameter, string>>;

/** Why the care team in a session no longer holds: an audit code (never free text). */
export type CareTeamLapse = 'care_team_membership_ended' | 'care_team_not_in_force' | 'care_team_organization_changed';

/** A care team that no longer holds: the context left (empty), why, and the team that left. */
export interface CareTeamRecheck {
  context: SessionContext;
  lapse: CareTeamLapse;
  careTeam: string;
}

/** The CONTEXT_SELECTED details of a care team that no longer held (README, audit trail). */
export function lapseDetails(lapsed: CareTeamRecheck): { reason: CareTeamLapse; care_team_id: string } {
  return { reason: lapsed.lapse, care_team_id: lapsed.careTeam };
}

/** One fixed wording for every refused choice: the log says which rule refused it. */
const REFUSED = 'The requested context is not available to this user.';

/**
 * Context selection on a refresh (the Danish reference behaviour, DOMAIN.md): a clinician picks a
 * care team they are an active member of (its organisation follows), or an organisation they hold
 * a role in; then a patient and an episode of care, which need a care team and must belong
 * together. A citizen stays in their own patient context and may add only their own episodes.
 * Each check is one FHIR read; a refusal throws before anything changes.
 */
@Injectable()
export class ContextSelectionService {
  constructor(private readonly directory: ContextDirectory) {}

  static requested(get: (name: string) => string | undefined): ContextRequest | undefined {
    const request: ContextRequest = {};
    for (const name of Object.keys(CONTEXT_PARAMETERS) as ContextParameter[]) {
      const value = get(name);
      if (value !== undefined) request[name] = value;
    }
    return Object.keys(request).length > 0 ? request : undefined;
  }

  async select(session: SessionRow, request: ContextRequest): Promise<SessionContext> {
    // A session delegated by token exchange keeps the subject token's context (RFC 8693 §1.1: the actor
    // acts within what the subject allowed): choosing is the person's, in their own session, not the actor's.
    if (session.delegation) return refuse('a delegated session keeps the context it was exchanged with');
    const ids = this.ids(session.realm, request);
    switch (session.link.kind) {
      case 'practitioner':
        return this.forClinician(session, session.link.practitioner, ids);
      case 'patient':
        if (!session.link.patient) return refuse('citizen without a patient');
        return this.forCitizen(session.realm, session.link.patient, ids);
      case 'none':
        return refuse(`user type ${session.user_type} has no contexts`);
    }
  }

  private async forClinician(session: SessionRow, practitioner: string, ids: ContextRequest): Promise<SessionContext> {
    const link = session.link.kind === 'practitioner' ? session.link : undefined;
    let next: SessionContext = { ...(session.context ?? {}) };
    if (ids.care_team_id !== undefined) {
      const team = await this.directory.careTeam(session.realm, ids.care_team_id, practitioner);
      if (!team?.member) return refuse('not an active member of that care team');
      if (!team.inForce) return refuse('care team not in force');
      if (ids.organization_id !== undefined && this.url(session.realm, 'Organization', ids.organization_id) !== team.organization)
        return refuse('organisation is not the care team’s');
      const roles = link?.careTeams.find((t) => t.careTeam === team.careTeam)?.roles ?? [];
      next = { care_team_id: team.careTeam, ...(team.organization ? { organization_id: team.organization } : {}), roles };
    } else if (ids.organization_id !== undefined) {
      const organization = this.url(session.realm, 'Organization', ids.organization_id);
      const held = link?.organisations.find((o) => o.organization === organization);
      if (!held) return refuse('no role at that organisation');
      next = { organization_id: organization, roles: [...held.roles] };
    }
    if (ids.patient_id !== undefined || ids.episode_of_care_id !== undefined) {
      if (!next.care_team_id) return refuse('patient or episode without a care team');
      // A care team chosen on an earlier refresh is checked again before a patient or episode rests on
      // it: the membership may have ended since (its period.end set by a later login or in FHIR).
      if (ids.care_team_id === undefined) {
        const lapse = await this.lapse(session.realm, next, practitioner);
        if (lapse) return refuse(`the care team in the session: ${lapse}`);
      }
      delete next.patient_id;
      delete next.episode_of_care_id;
    }
    if (ids.patient_id !== undefined) {
      if (!(await this.directory.patientNotReplaced(session.realm, ids.patient_id))) return refuse('no such patient, or one replaced');
      next.patient_id = this.url(session.realm, 'Patient', ids.patient_id);
    }
    if (ids.episode_of_care_id !== undefined) {
      const episode = await this.directory.episode(session.realm, ids.episode_of_care_id);
      if (!episode?.inForce || !episode.patient) return refuse('no such episode of care in force');
      if (!episode.teams.includes(next.care_team_id!)) return refuse('episode of care does not name the care team');
      if (next.patient_id !== undefined && episode.patient !== next.patient_id) return refuse('episode of care of another patient');
      // The episode names the patient: checked as a patient chosen by id would be.
      if (ids.patient_id === undefined) {
        const id = contextId(episode.patient, 'Patient', this.directory.gateway(session.realm).baseUrl);
        if (id === undefined || !(await this.directory.patientNotReplaced(session.realm, id)))
          return refuse('the episode’s patient was replaced');
      }
      next.patient_id = episode.patient;
      next.episode_of_care_id = episode.episode;
    }
    return next;
  }

  /**
   * On a refresh that chooses nothing: the care team in a clinician's session, checked again, since
   * the tokens about to be issued carry it and the roles the assertion gave in it. A membership ended
   * in FHIR, a team no longer in force, or one now managed by another organisation than the one in the
   * context (its tenant) takes the team, and all that rested on it (its organisation, the roles,
   * patient and episode), out of the session, a delegated one's too: the context left, why, and the
   * team that left; undefined while it holds. An organisation chosen without a team rests on the
   * assertion's roles alone (no FHIR record), so a later login, not a refresh, changes it.
   */
  async recheck(session: SessionRow): Promise<CareTeamRecheck | undefined> {
    return this.recheckContext(session.realm, session.link, session.context ?? undefined);
  }

  /** {@link recheck} of a context about to be given to a session: a new client session's of an SSO session, the context of its login. */
  async recheckContext(realm: string, link: IdentityLink, context: SessionContext | undefined): Promise<CareTeamRecheck | undefined> {
    const careTeam = context?.care_team_id;
    if (careTeam === undefined || link.kind !== 'practitioner') return undefined;
    const lapse = await this.lapse(realm, context!, link.practitioner);
    return lapse && { context: {}, lapse, careTeam };
  }

  /** Why the care team in `context` no longer holds for the practitioner, or undefined while it does. */
  private async lapse(realm: string, context: SessionContext, practitioner: string): Promise<CareTeamLapse | undefined> {
    const id = contextId(context.care_team_id!, 'CareTeam', this.directory.gateway(realm).baseUrl);
    const team = id === undefined ? undefined : await this.directory.careTeam(realm, id, practitioner);
    if (!team?.member) return 'care_team_membership_ended';
    if (!team.inForce) return 'care_team_not_in_force';
    // DOMAIN.md: a care team's organisation is its managingOrganization; the context's, chosen with the team, is the tenant.
    if (team.organization !== context.organization_id) return 'care_team_organization_changed';
    return undefined;
  }

  private async forCitizen(realm: string, patient: string, ids: ContextRequest): Promise<SessionContext> {
    if (ids.care_team_id !== undefined || ids.organization_id !== undefined)
      return refuse('citizens do not choose care teams or organisations');
    if (ids.patient_id !== undefined && this.url(realm, 'Patient', ids.patient_id) !== patient)
      return refuse('a citizen cannot change patient');
    if (ids.episode_of_care_id === undefined) return { patient_id: patient };
    const episode = await this.directory.episode(realm, ids.episode_of_care_id);
    const refusal = citizenEpisodeRefusal(episode, patient);
    if (refusal !== undefined) return refuse(refusal);
    return { patient_id: patient, episode_of_care_id: episode!.episode };
  }

  /** Every named resource as its logical id; a malformed or foreign reference is refused outright. */
  private ids(realm: string, request: ContextRequest): ContextRequest {
    const ids: ContextRequest = {};
    for (const [name, value] of Object.entries(request) as [ContextParameter, string][]) {
      const id = contextId(value, CONTEXT_PARAMETERS[name], this.directory.gateway(realm).baseUrl);
      if (id === undefined) return refuse(`malformed ${name}`);
      ids[name] = id;
    }
    return ids;
  }

  private url(realm: string, type: string, id: string): string {
    return this.directory.gateway(realm).absoluteUrl(`${type}/${id}`);
  }
}

function refuse(reason: string): never {
  throw new OAuthError('invalid_request', `context refused: ${reason}`, { description: REFUSED });
}
