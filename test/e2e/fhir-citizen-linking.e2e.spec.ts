import { AmbiguousIdentityError } from '../../src/identity/linking-errors.js';
import { FHIR_SERVER_SETUPS, SEPARATE_PROCESS, type RunningFhirServer } from '../support/fhir/fhir-servers.js';
import { captureNestLogs, fhirLinker, measure } from '../support/fhir/fhir-linker.js';
import { BSN_SYSTEM, citizen, DEMO } from '../support/fhir/principals.js';

/**
 * Citizen linking (DOMAIN.md "Citizen login") over real HTTP: gateway → node:http → Medplum, run
 * once against the server in this process and once against a separate process on its own port.
 */
describe.each(FHIR_SERVER_SETUPS)('citizen linking against a FHIR server %s', (name, start) => {
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

  it('links a generic principal to nothing, without calling FHIR', async () => {
    const { gateway, linker } = fhirLinker(server.baseUrl);
    const generic = { kind: 'generic' as const, realm: 'ssl', idpAlias: 'ssl', externalId: 'e1', attributes: {} };
    const { result, cost } = await measure(gateway, () => linker.link(generic));
    expect(result).toEqual({ kind: 'none' });
    expect(cost.requests).toBe(0);
  });

  it('never wrote a CPR or BSN into a log line', () => {
    const values = [...Object.values(DEMO.cpr), DEMO.bsn.jan];
    expect(logs.lines.filter((line) => values.some((v) => line.includes(v)))).toEqual([]);
  });
});
