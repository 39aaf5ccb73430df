import type * as fhir4 from 'fhir/r4.js';

/**
 * Runs `check` while the CareTeam `{fhirBase}/CareTeam/{id}` is as `edit` left it, written to FHIR as
 * an administrator or a later login would write it; then puts the original back, whatever `check` did.
 */
export async function whileCareTeamEdited(
  fhirBase: string,
  id: string,
  edit: (team: fhir4.CareTeam) => void,
  check: () => Promise<void>,
): Promise<void> {
  const url = `${fhirBase}/CareTeam/${id}`;
  const original = (await (await fetch(url)).json()) as fhir4.CareTeam;
  const put = async (body: fhir4.CareTeam) => {
    const response = await fetch(url, { method: 'PUT', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(body) });
    if (response.status !== 200) throw new Error(`PUT ${url} answered ${response.status}`);
  };
  const edited = structuredClone(original);
  edit(edited);
  await put(edited);
  try {
    await check();
  } finally {
    await put(original);
  }
}

/** An edit that ends `practitioner`'s participation (its period.end in the past), as a later login without the team would. */
export function membershipEnded(practitioner: string): (team: fhir4.CareTeam) => void {
  return (team) => {
    for (const p of team.participant ?? [])
      if (p.member?.reference && practitioner.endsWith(p.member.reference)) p.period = { ...p.period, end: '2020-01-01T00:00:00Z' };
  };
}
