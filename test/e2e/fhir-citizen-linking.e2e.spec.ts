import { AmbiguousIdentityError } from '../../src/identity/linking-errors.js';
import { FHIR_SERVER_SETUPS, SEPARATE_PROCESS, type RunningFhirServer } from '../support/fhir/fhir-servers.js';
import { captureNestLogs, fhirLinker, measure } from '../support/fhir/fhir-linker.js';
import { probeCreate } from '../support/fhir/fhir-probe.js';
import { searchset, sendJson, startStubServer } from '../support/fhir/stub-http-server.js';
import { BSN_SYSTEM, citizen, CPR_SYSTEM, DEMO, fakeCpr } from '../support/fhir/principals.js';

/**
 * Citizen linking (DOMAIN.md "Citizen login") over real HTTP: gateway → node:http → Medplum, run
 * once against the server in this process and once against a separate process on its own port.
 */
describe.each(FHIR_SERVER_SETUPS)('citizen linking against a FHIR server %s', (name, start) => {
  let server: RunningFhirServer;
  let logs: ReturnType<typeof captureNestLogs>;
  /** The CPRs a test made up, kept out of the logs as the demo's are. */
  const made: string[] = [];

  beforeAll(async () => {
    server = await start();
    logs = captureNestLogs();
  });
  afterAll(async () => {
    logs.restore();
    await server.stop();
  });

  it('reaches the server only through its URL, in this process or another', () => {
    expect(server.pid !== process.pid).toBe(name === SEPARATE_PROCESS);
    expect(server.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/fhir$/);
  });

  it('links the one Patient with the CPR, as an absolute URL, in exactly one round trip', async () => {
    const { gateway, linker } = fhirLinker(server.baseUrl);
    const { result, cost } = await measure(gateway, () => linker.link(citizen(DEMO.cpr.nancy)));
    expect(result).toEqual({ kind: 'patient', patient: `${server.baseUrl}/Patient/demo-patient-nancy` });
    expect(cost).toEqual({ requests: 1, reads: 1, writes: 0, retries: 0, failures: 0 });
  });

  it('links by BSN with the system the principal names', async () => {
    const { linker } = fhirLinker(server.baseUrl);
    await expect(linker.link(citizen(DEMO.bsn.jan, BSN_SYSTEM))).resolves.toEqual({
      kind: 'patient',
      patient: `${server.baseUrl}/Patient/demo-patient-jan`,
    });
    // The same digits under the CPR system are somebody else's (nobody's) number.
    await expect(linker.link(citizen(DEMO.bsn.jan))).resolves.toEqual({ kind: 'patient', patient: undefined });
  });

  it('lets an unknown citizen in without a patient, in one round trip', async () => {
    const { gateway, linker } = fhirLinker(server.baseUrl);
    const { result, cost } = await measure(gateway, () => linker.link(citizen(DEMO.cpr.unknown)));
    expect(result).toEqual({ kind: 'patient', patient: undefined });
    expect(cost.requests).toBe(1);
  });

  it('refuses to pick between two Patients sharing a CPR, without naming the CPR', async () => {
    const { linker } = fhirLinker(server.baseUrl);
    const failure = linker.link(citizen(DEMO.cpr.duplicated));
    await expect(failure).rejects.toBeInstanceOf(AmbiguousIdentityError);
    await expect(failure).rejects.toMatchObject({ resourceType: 'Patient', identifierSystem: 'urn:oid:1.2.208.176.1.2' });
    await expect(failure).rejects.not.toThrow(DEMO.cpr.duplicated);
  });

  it('counts only Patient records in use: a merged-away duplicate (active: false) is not a second person', async () => {
    const patient = (cpr: string, active?: boolean) =>
      probeCreate(server.baseUrl, { resourceType: 'Patient', identifier: [{ system: CPR_SYSTEM, value: cpr }], active });
    const { linker } = fhirLinker(server.baseUrl);
    // A record left inactive by a merge, beside the one in use.
    const merged = fakeCpr();
    made.push(merged);
    await patient(merged, false);
    const kept = await patient(merged, true);
    await expect(linker.link(citizen(merged))).resolves.toEqual({ kind: 'patient', patient: `${server.baseUrl}/Patient/${kept.id}` });
    // A record without `active` counts as in use; one only inactive is no patient at all.
    const unmarked = fakeCpr();
    made.push(unmarked);
    const withoutActive = await patient(unmarked);
    await patient(unmarked, false);
    await expect(linker.link(citizen(unmarked))).resolves.toEqual({
      kind: 'patient',
      patient: `${server.baseUrl}/Patient/${withoutActive.id}`,
    });
    const retired = fakeCpr();
    made.push(retired);
    await patient(retired, false);
    await expect(linker.link(citizen(retired))).resolves.toEqual({ kind: 'patient', patient: undefined });
  });

  it('links a generic principal to nothing, without calling FHIR', async () => {
    const { gateway, linker } = fhirLinker(server.baseUrl);
    const generic = { kind: 'generic' as const, realm: 'ssl', idpAlias: 'ssl', externalId: 'e1', attributes: {} };
    const { result, cost } = await measure(gateway, () => linker.link(generic));
    expect(result).toEqual({ kind: 'none' });
    expect(cost.requests).toBe(0);
  });

  it('never wrote a CPR or BSN into a log line', () => {
    const values = [...Object.values(DEMO.cpr), DEMO.bsn.jan, ...made];
    expect(logs.lines.filter((line) => values.some((v) => line.includes(v)))).toEqual([]);
  });
});

describe('citizen linking: records not in use on the first page of the search', () => {
  it('follows the pages when the first holds only merged-away records, and links the one in use', async () => {
    const cpr = fakeCpr();
    const record = (id: string, active: boolean) => ({
      resourceType: 'Patient',
      id,
      active,
      identifier: [{ system: CPR_SYSTEM, value: cpr }],
    });
    const stub = await startStubServer((response, index) =>
      sendJson(
        response,
        200,
        index === 0
          ? {
              ...searchset([record('old-1', false), record('old-2', false)]),
              total: 3,
              link: [{ relation: 'next', url: `${stub.baseUrl}/Patient?page=2` }],
            }
          : { ...searchset([record('current', true)]), total: 3 },
      ),
    );
    try {
      const { linker } = fhirLinker(stub.baseUrl);
      await expect(linker.link(citizen(cpr))).resolves.toEqual({ kind: 'patient', patient: `${stub.baseUrl}/Patient/current` });
      expect(stub.urls).toHaveLength(2);
    } finally {
      await stub.close();
    }
  });
});
