import type * as fhir4 from 'fhir/r4.js';
import { isActiveParticipant } from '../../../src/fhir/clinician/membership-plan.js';
import { rolesOf } from '../../../src/fhir/clinician/role-codes.js';
import { probeRead, probeSearch } from './fhir-probe.js';

export const CLINICIAN_ID_SYSTEM = 'urn:dk:healthcare:demo:clinician-id';

/** What FHIR holds for one clinician, read straight from the server. */
export interface ClinicianInFhir {
  practitioners: fhir4.Practitioner[];
  /** `Organization/{id}` → the clinician's roles there. */
  roles: fhir4.PractitionerRole[];
  /** Care teams in which the clinician is (or was) a participant. */
  careTeams: fhir4.CareTeam[];
}

export async function clinicianInFhir(baseUrl: string, clinicianId: string): Promise<ClinicianInFhir> {
  const practitioners = await probeSearch<fhir4.Practitioner>(baseUrl, `Practitioner?identifier=${CLINICIAN_ID_SYSTEM}|${clinicianId}`);
  if (practitioners.length !== 1) return { practitioners, roles: [], careTeams: [] };
  const reference = `Practitioner/${practitioners[0]?.id}`;
  return {
    practitioners,
    roles: await probeSearch<fhir4.PractitionerRole>(baseUrl, `PractitionerRole?practitioner=${reference}`),
    careTeams: await probeSearch<fhir4.CareTeam>(baseUrl, `CareTeam?participant=${reference}`),
  };
}

/** The clinician's participant entries in a care team, read from the server. */
export async function participantsOf(baseUrl: string, careTeamId: string, practitioner: string): Promise<fhir4.CareTeamParticipant[]> {
  const team = await probeRead<fhir4.CareTeam>(baseUrl, `CareTeam/${careTeamId}`);
  return (team.participant ?? []).filter((p) => p.member?.reference === practitioner);
}

export async function activeParticipantsOf(
  baseUrl: string,
  careTeamId: string,
  practitioner: string,
): Promise<fhir4.CareTeamParticipant[]> {
  return (await participantsOf(baseUrl, careTeamId, practitioner)).filter((p) => isActiveParticipant(p, practitioner));
}

/** `[organization reference, roles, active]` per PractitionerRole, sorted, for exact comparison. */
export function roleSummary(roles: fhir4.PractitionerRole[]): [string | undefined, string[], boolean | undefined][] {
  return roles
    .map((r): [string | undefined, string[], boolean | undefined] => [r.organization?.reference, rolesOf(r.code), r.active])
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
}

export const versionOf = async (baseUrl: string, reference: string): Promise<string | undefined> =>
  (await probeRead<fhir4.Resource>(baseUrl, reference)).meta?.versionId;
