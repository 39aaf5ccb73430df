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

  it('links the record that stands for the person: not one a merge replaced but the one replacing it, nor an inactive one beside one in use', async () => {
    const patient = (cpr: string, extra: object = {}) =>
      probeCreate(server.baseUrl, { resourceType: 'Patient', identifier: [{ system: CPR_SYSTEM, value: cpr }], ...extra });
    const { linker } = fhirLinker(server.baseUrl);
    const linked = async (cpr: string) => ((await linker.link(citizen(cpr))) as { patient?: string }).patient;
    const url = (id: string) => `${server.baseUrl}/Patient/${id}`;

    // A merge's leftover, replaced by the record in use: the record in use.
    const merged = fakeCpr();
    made.push(merged);
    const kept = await patient(merged);
    await patient(merged, { active: false, link: [{ type: 'replaced-by', other: { reference: `Patient/${kept.id}` } }] });
    expect(await linked(merged)).toBe(url(kept.id));
    // An inactive record beside one in use (without `active`, which counts as in use): the one in use.
    const beside = fakeCpr();
    made.push(beside);
    const inUse = await patient(beside);
    await patient(beside, { active: false });
    expect(await linked(beside)).toBe(url(inUse.id));
    // Only an inactive record (a patient not seen for a while): still theirs.
    const dormant = fakeCpr();
    made.push(dormant);
    const only = await patient(dormant, { active: false });
    expect(await linked(dormant)).toBe(url(only.id));
    // Only a replaced record: it must no longer be used, so the record that replaced it, which the
    // merge left without the CPR (patient-replacement.ts).
    const mergedAway = fakeCpr();
    made.push(mergedAway);
    const survivor = await probeCreate(server.baseUrl, { resourceType: 'Patient', active: true });
    await patient(mergedAway, { link: [{ type: 'replaced-by', other: { reference: `Patient/${survivor.id}` } }] });
    expect(await linked(mergedAway)).toBe(url(survivor.id));
    // Only a replaced record whose replacement is not there: no patient.
    const leftover = fakeCpr();
    made.push(leftover);
    await patient(leftover, { link: [{ type: 'replaced-by', other: { reference: 'Patient/elsewhere' } }] });
    expect(await linked(leftover)).toBeUndefined();
    // Two inactive records and none in use: still two people as far as can be told.
    const twins = fakeCpr();
    made.push(twins);
    await patient(twins, { active: false });
    await patient(twins, { active: false });
    await expect(linker.link(citizen(twins))).rejects.toBeInstanceOf(AmbiguousIdentityError);
  });

  // The embedded server answers a search cut short by `_count` with `Bundle.total` and no `next` link.
  it('links the record in use found after two not in use, in one round trip', async () => {
    const cpr = fakeCpr();
    made.push(cpr);
    const patient = (extra: object) =>
      probeCreate(server.baseUrl, { resourceType: 'Patient', identifier: [{ system: CPR_SYSTEM, value: cpr }], ...extra });
    await patient({ active: false });
    await patient({ active: false });
    const current = await patient({ active: true });
    const { gateway, linker } = fhirLinker(server.baseUrl);
    const { result, cost } = await measure(gateway, () => linker.link(citizen(cpr)));
    expect(result).toEqual({ kind: 'patient', patient: `${server.baseUrl}/Patient/${current.id}` });
    expect(cost.requests).toBe(1);
  });

  it('does not guess past the ten records a page holds when the server gives no next link: retryable', async () => {
    const cpr = fakeCpr();
    made.push(cpr);
    for (let i = 0; i < 10; i++)
      await probeCreate(server.baseUrl, { resourceType: 'Patient', active: false, identifier: [{ system: CPR_SYSTEM, value: cpr }] });
    await probeCreate(server.baseUrl, { resourceType: 'Patient', identifier: [{ system: CPR_SYSTEM, value: cpr }] });
    const { linker } = fhirLinker(server.baseUrl, { retries: 0 });
    await expect(linker.link(citizen(cpr))).rejects.toMatchObject({ retryable: true });
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
