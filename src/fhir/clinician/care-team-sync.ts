import { Logger } from '@nestjs/common';
import type * as fhir4 from 'fhir/r4.js';
import type { LinkedCareTeam } from '../../identity/identity-link.js';
import type { CareTeamPrivileges } from '../../identity/principal.js';
import type { FhirGateway } from '../fhir.gateway.js';
import type { FhirCallOptions, Stored } from '../fhir-resources.js';
import { escapeSearchValue, referenceTo, resourceUrl } from '../fhir-references.js';
import { FhirRequestError } from '../fhir.errors.js';
import { careTeamInForce, isActiveParticipant, planJoin, planLeave } from './membership-plan.js';
import { normaliseRoles } from './role-codes.js';
import { updateVersioned } from './versioned-update.js';

type CareTeam = Stored<fhir4.CareTeam>;

/** DOMAIN.md: care-team scopes name `urn:dk:sundhed:ehealth:careteam:{id}`. */
export const CARE_TEAM_IDENTIFIER_SYSTEM = 'urn:dk:sundhed:ehealth:careteam';

export const hasCareTeamIdentifier = (team: fhir4.CareTeam, id: string): boolean =>
  (team.identifier ?? []).some((i) => i.system === CARE_TEAM_IDENTIFIER_SYSTEM && i.value === id);

/**
 * Makes the clinician's CareTeam memberships match the assertion (DOMAIN.md): joins each existing
 * care team named in the privileges, with an open `period.start`; ends (`period.end`) memberships
 * no longer named. Care teams are never created; one that does not exist, or is not in force
 * (careTeamInForce), is skipped: not joined, and a membership in it ends as one not named.
 *
 * A returning clinician costs one search (`CareTeam?participant=`), whose results already identify
 * every team they belonged to; only teams not among them are searched for.
 */
export class CareTeamSync {
  private readonly logger = new Logger('CareTeamSync');

  constructor(private readonly gateway: FhirGateway) {}

  async sync(practitioner: string, privileges: CareTeamPrivileges[], now: string, options: FhirCallOptions): Promise<LinkedCareTeam[]> {
    // Every one of them (searchAll refuses an incomplete answer), as each membership no longer asserted is ended.
    const { matches: memberOf } = await this.gateway.searchAll('CareTeam', { participant: practitioner, _count: '100' }, options);
    const wanted = await this.resolve(privileges, memberOf, options);

    const linked = await Promise.all(
      [...wanted.values()].map(async ({ team, roles }) => {
        await updateVersioned(this.gateway, team, (latest) => planJoin(latest, practitioner, roles, now), options);
        // DOMAIN.md: the team's organisation is its managingOrganization, as the context's absolute URL.
        const organization = resourceUrl(team.managingOrganization?.[0]?.reference, this.gateway.baseUrl);
        return {
          careTeam: this.gateway.absoluteUrl(referenceTo(team)),
          ...(organization ? { organization } : {}),
          roles,
        };
      }),
    );
    // Every membership not wanted ends, whatever the team's status: one left open in a suspended team
    // would count again the day the team is active again (fail closed).
    const left = memberOf.filter(
      (team) => !wanted.has(team.id) && (team.participant ?? []).some((p) => isActiveParticipant(p, practitioner)),
    );
    await Promise.all(left.map((team) => updateVersioned(this.gateway, team, (latest) => planLeave(latest, practitioner, now), options)));
    return linked;
  }

  /**
   * Care team id → the team and the roles asserted for it. A scope's `{id}` is the CareTeam's
   * identifier value, "or failing that" its logical id (DOMAIN.md), so a logical-id match counts
   * only once no team has that identifier.
   */
  private async resolve(
    privileges: CareTeamPrivileges[],
    memberOf: CareTeam[],
    options: FhirCallOptions,
  ): Promise<Map<string, { team: CareTeam; roles: string[] }>> {
    // Only teams in force are candidates: an old team not in force that kept the identifier must not
    // hide the team in force that carries it now, nor make it ambiguous.
    const current = memberOf.filter(careTeamInForce);
    const byIdentifier = new Map<string, CareTeam[]>();
    for (const { id } of privileges)
      byIdentifier.set(
        id,
        current.filter((t) => hasCareTeamIdentifier(t, id)),
      );

    // Teams not among the clinician's own: by identifier, then by logical id for what is still missing
    // (one after the other: teams are normally found by identifier, so the second search is rare).
    const unknown = privileges.map((p) => p.id).filter((id) => byIdentifier.get(id)?.length === 0);
    const foundByIdentifier = await this.searchTeams('identifier', unknown, options);
    for (const id of unknown)
      byIdentifier.set(
        id,
        foundByIdentifier.filter((t) => hasCareTeamIdentifier(t, id)),
      );

    const byLogicalId = new Map<string, CareTeam>(current.map((t) => [t.id, t]));
    const missing = unknown.filter((id) => byIdentifier.get(id)?.length === 0 && !byLogicalId.has(id));
    for (const team of await this.searchTeams('_id', missing, options)) byLogicalId.set(team.id, team);

    const wanted = new Map<string, { team: CareTeam; roles: string[] }>();
    for (const privilege of privileges) {
      const matches = byIdentifier.get(privilege.id) ?? [];
      const team = matches.length === 0 ? byLogicalId.get(privilege.id) : matches.length === 1 ? matches[0] : undefined;
      if (team === undefined) {
        // Care team ids are not personal data; they tell an operator which team is missing.
        const reason = matches.length > 1 ? 'matches several CareTeams' : 'does not exist, or is not in force';
        this.logger[matches.length > 1 ? 'warn' : 'debug'](`care team ${privilege.id} named in the privileges ${reason}; skipped`);
        continue;
      }
      const previous = wanted.get(team.id)?.roles ?? [];
      wanted.set(team.id, { team, roles: normaliseRoles([...previous, ...privilege.roles]) });
    }
    return wanted;
  }

  /**
   * The teams in force among one search ORing the ids (`,`, R4 search.html#combining); none when
   * there are none. A server that ignored the parameter (R4 search.html#errors, lenient handling)
   * would answer teams not asked for, and skipping them would be a login with rights missing,
   * presented as a success: a match that is none of the ids fails the login closed, as linking does.
   */
  private async searchTeams(parameter: 'identifier' | '_id', ids: string[], options: FhirCallOptions): Promise<CareTeam[]> {
    if (ids.length === 0) return [];
    const values =
      parameter === 'identifier' ? ids.map((id) => `${CARE_TEAM_IDENTIFIER_SYSTEM}|${escapeSearchValue(id)}`) : ids.map(escapeSearchValue);
    const { matches } = await this.gateway.searchAll('CareTeam', { [parameter]: values.join(','), _count: '100' }, options);
    const asked = (team: CareTeam) =>
      parameter === 'identifier' ? ids.some((id) => hasCareTeamIdentifier(team, id)) : ids.includes(team.id);
    if (!matches.every(asked))
      throw new FhirRequestError(`FHIR search CareTeam: a match lacks the searched ${parameter === '_id' ? 'id' : 'identifier'}`);
    return matches.filter(careTeamInForce);
  }
}
