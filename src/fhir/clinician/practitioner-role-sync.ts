import { Logger } from '@nestjs/common';
import type * as fhir4 from 'fhir/r4.js';
import type { LinkedOrganisation } from '../../identity/identity-link.js';
import type { OrganisationPrivileges } from '../../identity/principal.js';
import { FhirConflictError, FhirPreconditionFailedError, FhirRequestError, FhirUnavailableError } from '../fhir.errors.js';
import type { FhirGateway } from '../fhir.gateway.js';
import type { FhirCallOptions, Stored } from '../fhir-resources.js';
import { hasIdentifier, pointsTo, referenceTo, searchToken } from '../fhir-references.js';
import { newRole, planRole, planRoleEnd, roleInForce } from './membership-plan.js';
import { normaliseRoles } from './role-codes.js';
import { updateVersioned } from './versioned-update.js';

type Organization = Stored<fhir4.Organization>;

/**
 * One PractitionerRole per organisation the assertion names (DOMAIN.md: "PractitionerRole
 * (practitioner × organisation)"), with the privileges as `code`; roles at organisations no longer
 * named are ended. Organisations are looked up by identifier (SOR, AGB-Z, URA) and never created:
 * the service links people to the organisation register, it does not extend it.
 *
 * A returning clinician costs one search: their roles with `_include` of the organisations, which
 * already identifies every organisation they had before.
 */
export class PractitionerRoleSync {
  private readonly logger = new Logger('PractitionerRoleSync');

  constructor(private readonly gateway: FhirGateway) {}

  async sync(
    practitioner: string,
    privileges: OrganisationPrivileges[],
    now: string,
    options: FhirCallOptions,
  ): Promise<LinkedOrganisation[]> {
    // Every one of them (searchAll refuses an incomplete answer), as each role at an organisation no longer asserted is ended.
    const { matches: roles, included } = await this.gateway.searchAll(
      'PractitionerRole',
      { practitioner, _include: 'PractitionerRole:organization', _count: '100' },
      options,
    );
    // A server that ignored the practitioner parameter (R4 search.html#errors, lenient handling) hands back
    // everyone's roles, which would then be rewritten or ended as this clinician's: fail closed.
    if (roles.some((role) => !pointsTo(role.practitioner, practitioner)))
      throw new FhirRequestError('FHIR search PractitionerRole: a match lacks the searched practitioner');
    const known = included.filter((r): r is Organization => r.resourceType === 'Organization');
    const wanted = await this.resolve(privileges, known, options);

    const linked = await Promise.all(
      [...wanted.values()].map(async ({ organization, roles: asserted }) => {
        const reference = referenceTo(organization);
        // One role per practitioner × organisation (DOMAIN.md). Where another writer (or a server whose
        // conditional create is not atomic) left several, the one in force is kept and made to match;
        // the others still in force are ended, as planJoin closes a member's extra entries: left alone,
        // they would keep in FHIR the roles the assertion no longer names. By id, so that logins racing
        // on two instances keep the same one, whatever order each was answered in.
        const here = roles.filter((r) => pointsTo(r.organization, reference)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
        const existing = here.find(roleInForce) ?? here[0];
        const extra = here.filter((r) => r !== existing && roleInForce(r));
        await Promise.all([
          this.ensureRole(practitioner, reference, existing, asserted, now, options),
          ...extra.map((role) => updateVersioned(this.gateway, role, (latest) => planRoleEnd(latest, now), options)),
        ]);
        return { organization: this.gateway.absoluteUrl(reference), roles: asserted };
      }),
    );
    const stale = roles.filter((r) => ![...wanted.keys()].some((id) => pointsTo(r.organization, `Organization/${id}`)));
    await Promise.all(stale.map((role) => updateVersioned(this.gateway, role, (latest) => planRoleEnd(latest, now), options)));
    return linked;
  }

  private async ensureRole(
    practitioner: string,
    organization: string,
    existing: Stored<fhir4.PractitionerRole> | undefined,
    roles: string[],
    now: string,
    options: FhirCallOptions,
  ): Promise<void> {
    let current = existing;
    if (current === undefined) {
      const { resource, created } = await this.create(practitioner, organization, roles, now, options);
      if (created) return;
      current = resource;
    }
    await updateVersioned(this.gateway, current, (latest) => planRole(latest, roles, now), options);
  }

  /**
   * R4 http.html#ccreate, as for the Practitioner (practitioner-sync.ts): a 409 Conflict tells a login
   * that lost the race to another instance's create; the role that won is searched for, with the checks
   * of the first search, and carried on with. Not finding it yet is retryable (R4 http.html#concurrency).
   * A 412 says several roles match (R4 http.html#ccreate), created since the search by racing writers:
   * unlike two Practitioners, not an ambiguous person, since {@link sync} keeps one role per organisation
   * and ends the others. Nothing more is written here; retryable, as the next login's search finds them.
   */
  private async create(
    practitioner: string,
    organization: string,
    roles: string[],
    now: string,
    options: FhirCallOptions,
  ): Promise<{ resource: Stored<fhir4.PractitionerRole>; created: boolean }> {
    const criteria = { practitioner, organization };
    try {
      const isMeant = (found: fhir4.PractitionerRole) =>
        pointsTo(found.practitioner, practitioner) && pointsTo(found.organization, organization);
      return await this.gateway.createIfNoneExist(newRole(practitioner, organization, roles, now), criteria, isMeant, options);
    } catch (error) {
      if (error instanceof FhirPreconditionFailedError)
        throw new FhirUnavailableError('FHIR create PractitionerRole: HTTP 412, several PractitionerRoles match the criteria', 412);
      if (!(error instanceof FhirConflictError)) throw error;
      const { matches } = await this.gateway.searchAll('PractitionerRole', criteria, options);
      if (matches.some((role) => !pointsTo(role.practitioner, practitioner)))
        throw new FhirRequestError('FHIR search PractitionerRole: a match lacks the searched practitioner');
      const found = matches.find((role) => pointsTo(role.organization, organization));
      if (found === undefined)
        throw new FhirUnavailableError('FHIR create PractitionerRole: HTTP 409, and no PractitionerRole found after it', 409);
      return { resource: found, created: false };
    }
  }

  /**
   * Organisation id → the organisation and the roles asserted there (repeats merged). Only an
   * organisation in force counts: R4 Organization.active is a modifier ("a record that should not be
   * treated as valid" when false), so one marked inactive is as one that does not exist (its role, if
   * any, is ended as stale), and a record in force with the same identifier (its successor) is taken.
   */
  private async resolve(
    privileges: OrganisationPrivileges[],
    everyKnown: Organization[],
    options: FhirCallOptions,
  ): Promise<Map<string, { organization: Organization; roles: string[] }>> {
    const known = everyKnown.filter(organizationInForce);
    const unknown = privileges.filter((p) => !known.some((o) => hasIdentifier(o, p.identifier)));
    const searched =
      unknown.length === 0
        ? []
        : (
            await this.gateway.searchAll(
              'Organization',
              { identifier: unknown.map((p) => searchToken(p.identifier)).join(','), _count: '100' },
              options,
            )
          ).matches;
    // A server that ignored the parameter would answer organisations not asked for (R4 search.html#errors);
    // skipping them would be a login with its roles left out, presented as a success: fail closed.
    if (searched.some((o) => !unknown.some((p) => hasIdentifier(o, p.identifier))))
      throw new FhirRequestError('FHIR search Organization: a match lacks the searched identifier');

    const wanted = new Map<string, { organization: Organization; roles: string[] }>();
    privileges.forEach((privilege, index) => {
      const local = known.filter((o) => hasIdentifier(o, privilege.identifier));
      const candidates =
        local.length > 0 ? local : searched.filter((o) => organizationInForce(o) && hasIdentifier(o, privilege.identifier));
      if (candidates.length !== 1) {
        // Organisation identifiers are not personal data, but the position is all an operator needs.
        const reason = candidates.length === 0 ? 'does not exist in FHIR, or is not active' : 'matches several Organizations';
        this.logger[candidates.length === 0 ? 'debug' : 'warn'](`organisation #${index} of the assertion ${reason}; skipped`);
        return;
      }
      const organization = candidates[0] as Organization;
      const previous = wanted.get(organization.id)?.roles ?? [];
      wanted.set(organization.id, { organization, roles: normaliseRoles([...previous, ...privilege.roles]) });
    });
    return wanted;
  }
}

/** R4 Organization.active (a modifier): absent is in force, as R4 leaves it to mean. */
function organizationInForce(organization: fhir4.Organization): boolean {
  return organization.active !== false;
}
