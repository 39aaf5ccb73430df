import type * as fhir4 from 'fhir/r4.js';
import { AmbiguousIdentityError, IdentityDirectoryUnavailableError } from '../../src/identity/linking-errors.js';
import { FHIR_SERVER_SETUPS, type RunningFhirServer } from '../support/fhir/fhir-servers.js';
import { captureNestLogs, fhirLinker, measure } from '../support/fhir/fhir-linker.js';
import { probeCreate } from '../support/fhir/fhir-probe.js';
import { citizen, CPR_SYSTEM, fakeCpr } from '../support/fhir/principals.js';
import { searchset, sendJson, startStubServer } from '../support/fhir/stub-http-server.js';
import { rejectionOf } from '../support/rejection.js';

/**
 * A citizen whose records were all replaced by a merge (R4 Patient.link `replaced-by`: "must no longer
 * be used … points forward to another patient resource that must be used in lieu of" it) is linked
 * to the record that replaced them, read one hop at a time and bounded (patient-replacement.ts).
 */
describe.each(FHIR_SERVER_SETUPS)('citizen linking through merges against a FHIR server %s', (_name, start) => {
  let server: RunningFhirServer;
  let logs: ReturnType<typeof captureNestLogs>;
  const made: string[] = [];

  beforeAll(async () => {
    server = await start();
    logs = captureNestLogs();
  });
  afterAll(async () => {
    logs.restore();
    await server.stop();
  });

  const url = (id: string) => `${server.baseUrl}/Patient/${id}`;
  const record = (extra: Partial<fhir4.Patient> = {}) =>
    probeCreate(server.baseUrl, { resourceType: 'Patient', ...extra } as fhir4.Patient);
  const replacedBy = (reference: string): Partial<fhir4.Patient> => ({ link: [{ type: 'replaced-by', other: { reference } }] });
  /** A new CPR and its record, replaced by `reference`. */
  const leftover = async (reference: string, cpr = fakeCpr()) => {
    made.push(cpr);
    await record({ identifier: [{ system: CPR_SYSTEM, value: cpr }], active: false, ...replacedBy(reference) });
    return cpr;
  };
  const link = (cpr: string) => {
    const { gateway, linker } = fhirLinker(server.baseUrl);
    return measure(gateway, () => linker.link(citizen(cpr)));
  };

  it('links the record that replaced the only one with the CPR: one search and one read', async () => {
    const survivor = await record({ active: true });
    const { result, cost } = await link(await leftover(`Patient/${survivor.id}`));
    expect(result).toEqual({ kind: 'patient', patient: url(survivor.id) });
    expect(cost).toMatchObject({ requests: 2, reads: 2, writes: 0 });
  });

  it('follows a chain of merges, by relative, versioned or absolute reference, to a survivor with no CPR', async () => {
    const survivor = await record({ identifier: [{ system: 'urn:demo:mrn', value: 'x' }] });
    const between = await record(replacedBy(`${server.baseUrl}/Patient/${survivor.id}`));
    const { result, cost } = await link(await leftover(`Patient/${between.id}/_history/1`));
    expect(result).toEqual({ kind: 'patient', patient: url(survivor.id) });
    expect(cost.requests).toBe(3);
  });

  it('links no patient to a survivor under another CPR: the register says two things at once', async () => {
    const other = fakeCpr();
    made.push(other);
    const survivor = await record({ identifier: [{ system: CPR_SYSTEM, value: other }] });
    expect((await link(await leftover(`Patient/${survivor.id}`))).result).toEqual({ kind: 'patient', patient: undefined });
  });

  it('links no patient, and reads nothing, for a replacement on another server', async () => {
    const { result, cost } = await link(await leftover('https://elsewhere.example/fhir/Patient/1'));
    expect(result).toEqual({ kind: 'patient', patient: undefined });
    expect(cost.requests).toBe(1);
  });

  it('links no patient past three reads of a chain of merges', async () => {
    let next = await record();
    for (let i = 0; i < 3; i++) next = await record(replacedBy(`Patient/${next.id}`));
    const { result, cost } = await link(await leftover(`Patient/${next.id}`));
    expect(result).toEqual({ kind: 'patient', patient: undefined });
    expect(cost.requests).toBe(4);
  });

  it('refuses to pick when records with the CPR were merged into different records', async () => {
    const cpr = await leftover(`Patient/${(await record()).id}`);
    await leftover(`Patient/${(await record()).id}`, cpr);
    await expect(link(cpr)).rejects.toBeInstanceOf(AmbiguousIdentityError);
  });

  it('says in the log why a replacement was not followed, and never wrote a CPR there', () => {
    expect(logs.lines.some((line) => line.includes('the record replacing it carries another identifier of the system'))).toBe(true);
    expect(logs.lines.filter((line) => made.some((cpr) => line.includes(cpr)))).toEqual([]);
  });
});

describe('citizen linking through a merge when FHIR fails during the read', () => {
  it('is the retryable error of any FHIR outage, never a login without the patient', async () => {
    const cpr = fakeCpr();
    const leftover = {
      resourceType: 'Patient',
      id: 'old',
      identifier: [{ system: CPR_SYSTEM, value: cpr }],
      link: [{ type: 'replaced-by', other: { reference: 'Patient/new' } }],
    };
    const stub = await startStubServer((response, index) =>
      index === 0 ? sendJson(response, 200, { ...searchset([leftover]), total: 1 }) : sendJson(response, 503, {}),
    );
    try {
      const error = await rejectionOf(fhirLinker(stub.baseUrl, { retries: 1 }).linker.link(citizen(cpr)));
      expect(error).toBeInstanceOf(IdentityDirectoryUnavailableError);
      expect(stub.urls).toEqual(['/fhir/Patient/_search', '/fhir/Patient/new', '/fhir/Patient/new']);
    } finally {
      await stub.close();
    }
  });
});
