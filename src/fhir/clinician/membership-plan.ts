import type * as fhir4 from 'fhir/r4.js';
import { pointsTo } from '../fhir-references.js';
import { rolesOf, sameRoles, withRoles } from './role-codes.js';

/*
 * Pure plans for the clinician's memberships. Each takes the latest stored resource and returns
 * the changed one, or undefined when it already matches; a versioned update re-runs the plan on a
 * fresh read after a 412, so a plan must be a function of the stored resource alone.
 */

/**
 * R4 CareTeam.status is a modifier (it "can indicate that a record should not be treated as valid"):
 * a team is worked under only while `active`; `proposed` is not yet, `suspended` and `inactive` no
 * longer, `entered-in-error` never was. A team without a status (0..1) is taken as in force.
 */
export function careTeamInForce(team: fhir4.CareTeam): boolean {
  return team.status === undefined || team.status === 'active';
}

/** A membership is active while its period has no end (DOMAIN.md: "an open `period.start`"). */
export function isActiveParticipant(participant: fhir4.CareTeamParticipant, member: string): boolean {
  return pointsTo(participant.member, member) && participant.period?.end === undefined;
}

/** R4 dateTime (datatypes.html#dateTime): a year, month or day, or an instant with its zone. */
const FHIR_DATE_TIME = /^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2}))?)?)?$/;

/**
 * How far ahead a membership's start may lie and still count: the instance that wrote it (with its
 * own `now`), the one reading it and the FHIR server keep clocks this close, as the SAML checks allow
 * (saml/saml-options.ts, MAX_CLOCK_SKEW_SECONDS).
 */
const START_SKEW_MS = 60_000;

/**
 * A membership that counts for a context now: active, and begun. R4 CareTeam.participant.period is
 * when the participant is on the team; one starting later is not a member yet, and a start that is no
 * R4 dateTime is not taken on trust.
 */
export function isParticipantNow(participant: fhir4.CareTeamParticipant, member: string, now: number): boolean {
  const start = participant.period?.start;
  if (!isActiveParticipant(participant, member)) return false;
  return start === undefined || (FHIR_DATE_TIME.test(start) && Date.parse(start) <= now + START_SKEW_MS);
}

/**
 * The clinician is an active participant of the care team with exactly these roles. A missing
 * membership is added with `period.start = now`; extra active entries for the same member (left by
 * some other writer) are closed, so there is one.
 */
export function planJoin(team: fhir4.CareTeam, member: string, roles: string[], now: string): fhir4.CareTeam | undefined {
  const participants = team.participant ?? [];
  const active = participants.filter((p) => isActiveParticipant(p, member));
  if (active.length === 1 && sameRoles(rolesOf(active[0]?.role), roles)) return undefined;
  const [kept, ...extra] = active;
  const next = participants.map((p) => {
    if (p === kept) return withParticipantRoles(p, roles);
    if (extra.includes(p)) return { ...p, period: { ...p.period, end: now } };
    return p;
  });
  if (kept === undefined) next.push(withParticipantRoles({ member: { reference: member }, period: { start: now } }, roles));
  return { ...team, participant: next };
}

/** A membership no longer asserted is ended (`period.end`), never deleted: its history stays. */
export function planLeave(team: fhir4.CareTeam, member: string, now: string): fhir4.CareTeam | undefined {
  const participants = team.participant ?? [];
  if (!participants.some((p) => isActiveParticipant(p, member))) return undefined;
  return {
    ...team,
    participant: participants.map((p) => (isActiveParticipant(p, member) ? { ...p, period: { ...p.period, end: now } } : p)),
  };
}

/** A PractitionerRole is in force until made inactive or given a `period.end` (planRoleEnd). */
export function roleInForce(role: fhir4.PractitionerRole): boolean {
  return role.active !== false && role.period?.end === undefined;
}

/**
 * The PractitionerRole (practitioner × organisation) is active with these roles as `code`.
 * A role that had ended starts a new period.
 */
export function planRole(role: fhir4.PractitionerRole, roles: string[], now: string): fhir4.PractitionerRole | undefined {
  const ended = !roleInForce(role);
  if (!ended && sameRoles(rolesOf(role.code), roles)) return undefined;
  const { code: _code, period: _period, ...rest } = role;
  const code = withRoles(role.code, roles);
  const period = ended ? { start: now } : role.period;
  return { ...rest, active: true, ...(period ? { period } : {}), ...(code ? { code } : {}) };
}

/** A new PractitionerRole for a clinician's first login at an organisation. */
export function newRole(practitioner: string, organization: string, roles: string[], now: string): fhir4.PractitionerRole {
  const code = withRoles(undefined, roles);
  return {
    resourceType: 'PractitionerRole',
    active: true,
    period: { start: now },
    practitioner: { reference: practitioner },
    organization: { reference: organization },
    ...(code ? { code } : {}),
  };
}

/** An organisation no longer asserted: its PractitionerRole becomes inactive with `period.end`. */
export function planRoleEnd(role: fhir4.PractitionerRole, now: string): fhir4.PractitionerRole | undefined {
  if (role.active === false && role.period?.end !== undefined) return undefined;
  return { ...role, active: false, period: { ...role.period, end: role.period?.end ?? now } };
}

function withParticipantRoles(participant: fhir4.CareTeamParticipant, roles: string[]): fhir4.CareTeamParticipant {
  const { role: _role, ...rest } = participant;
  const role = withRoles(participant.role, roles);
  return role ? { ...rest, role } : rest;
}
