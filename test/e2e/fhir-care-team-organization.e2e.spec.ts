import { randomUUID } from 'node:crypto';
import type * as fhir4 from 'fhir/r4.js';
import type { IdentityLink } from '../../src/identity/identity-link.js';
import { FHIR_SERVER_SETUPS, type RunningFhirServer } from '../support/fhir/fhir-servers.js';
import { captureNestLogs, fhirLinker } from '../support/fhir/fhir-linker.js';
import { probeCreate } from '../support/fhir/fhir-probe.js';
import { clinician, DEMO, ROLE, uniqueClinicianId } from '../support/fhir/principals.js';

/**
 * DOMAIN.md: "A care team's organisation is its `CareTeam.managingOrganization`", and the context it
 * sets is an absolute FHIR URL of that Organization (`context.organization_id`), compared as such when
 * a client later chooses the organisation with its care team. A reference naming one version of it
 * (R4 references.html#literal, `…/_history/n`) names the same Organization; one to a contained
 * resource (`#id`) names none on the server.
 */
describe('a care team’s organisation in the clinician’s context', () => {
  const [, start] = FHIR_SERVER_SETUPS[0]!;
  let server: RunningFhirServer;
  let logs: ReturnType<typeof captureNestLogs>;

  beforeAll(async () => {
    server = await start();
    logs = captureNestLogs();
  });
  afterAll(async () => {
    logs.restore();
    await server.stop();
  });

  /** A care team in force with this managingOrganization, and the link of a clinician privileged in it. */
  const linkThrough = async (managingOrganization: fhir4.Reference, contained?: fhir4.FhirResource[]) => {
    const teamId = `DEMO-CT-${randomUUID()}`;
    await probeCreate<fhir4.CareTeam>(server.baseUrl, {
      resourceType: 'CareTeam',
      status: 'active',
      identifier: [{ system: 'urn:dk:sundhed:ehealth:careteam', value: teamId }],
      managingOrganization: [managingOrganization],
      ...(contained ? { contained } : {}),
    });
    const { linker } = fhirLinker(server.baseUrl);
    const link = (await linker.link(clinician(uniqueClinicianId(), { careTeams: [{ id: teamId, roles: [ROLE.doctor] }] }))) as Extract<
      IdentityLink,
      { kind: 'practitioner' }
    >;
    expect(link.careTeams).toHaveLength(1);
    return link.careTeams[0]!;
  };

  it('a versioned reference gives the Organization’s own URL, without the version', async () => {
    const hospital = DEMO.organizationId.hospital;
    const team = await linkThrough({ reference: `Organization/${hospital}/_history/1` });
    expect(team.organization).toBe(`${server.baseUrl}/Organization/${hospital}`);
  });

  it('a reference to a contained resource names no Organization on the server: no organisation, rather than a URL of nothing', async () => {
    const team = await linkThrough({ reference: '#org' }, [{ resourceType: 'Organization', id: 'org', name: 'Demo contained' }]);
    expect(team.organization).toBeUndefined();
  });
});
