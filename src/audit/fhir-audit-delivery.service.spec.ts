import { pgliteEngine, type Scratch } from '../../test/support/database-engines.js';
import { TestClock } from '../../test/support/test-clock.js';
import { testConfig } from '../../test/support/test-config.js';
import { FhirUnavailableError } from '../fhir/fhir.errors.js';
import type { FhirGateways } from '../fhir/fhir-gateways.js';
import type { Database } from '../storage/database.js';
import { FhirAuditOutboxRepository } from '../storage/fhir-audit-outbox.repository.js';
import { migrate } from '../storage/migrator.js';
import { FhirAuditDelivery } from './fhir-audit-delivery.service.js';

const BATCH = 2;

/**
 * A round of FHIR AuditEvent delivery drains the queue batch by batch (not `batchSize` per
 * `intervalMs`), and stops at a failure or at shutdown. The queue is the real one (PGlite); the FHIR
 * server is a list that can refuse one AuditEvent. Rounds are run by the test (the timer is an hour).
 */
describe('FHIR AuditEvent delivery rounds', () => {
  let scratch: Scratch;
  let db: Database;
  let outbox: FhirAuditOutboxRepository;
  let received: string[];
  let refuse: string | undefined;
  let delivery: FhirAuditDelivery;
  const clock = new TestClock(new Date('2030-01-01T10:00:00Z'));

  beforeAll(async () => {
    scratch = await pgliteEngine.createScratch();
    db = await scratch.connect();
    await migrate(db);
    outbox = new FhirAuditOutboxRepository(db);
  });
  afterAll(() => scratch?.dispose());

  beforeEach(async () => {
    await db.query('DELETE FROM fhir_audit_outbox');
    received = [];
    refuse = undefined;
    const server = {
      create: async (resource: { id: string }) => {
        if (resource.id === refuse) throw new FhirUnavailableError('FHIR create AuditEvent: HTTP 503', 503);
        received.push(resource.id);
        return resource;
      },
    };
    const gateways = { forRealm: () => server } as unknown as FhirGateways;
    const config = testConfig('http://127.0.0.1', (raw) => {
      raw.realms[0].audit = { fhir: true };
      raw.audit = { fhirDelivery: { intervalMs: 3_600_000, batchSize: BATCH } };
    });
    delivery = new FhirAuditDelivery(outbox, gateways, config, clock);
    await delivery.onApplicationBootstrap();
  });
  afterEach(() => delivery.onApplicationShutdown());

  const queue = async (...ids: string[]) => {
    for (const id of ids) await outbox.enqueue('nemlogin', { resourceType: 'AuditEvent', id }, clock.now());
  };
  const waiting = async () => (await outbox.pending('nemlogin')).map((entry) => [entry.resource.id, entry.attempts]);

  it('sends an entry of a realm the config no longer has to no server: it stays queued, untried', async () => {
    await outbox.enqueue('removed-realm', { resourceType: 'AuditEvent', id: 'orphan' }, clock.now());
    await queue('a');
    expect(await delivery.drain()).toEqual({ delivered: 1, failed: 0 });
    expect(received).toEqual(['a']);
    expect((await outbox.pending('removed-realm')).map((entry) => [entry.resource.id, entry.attempts])).toEqual([['orphan', 0]]);
  });

  it('delivers a backlog of several batches in one round, oldest first', async () => {
    await queue('a', 'b', 'c', 'd', 'e');
    expect(await delivery.drain()).toEqual({ delivered: 5, failed: 0 });
    expect(received).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(await waiting()).toEqual([]);
  });

  it('ends the round with the batch in which a delivery failed; what follows waits, untried, for the next', async () => {
    await queue('a', 'b', 'c', 'd', 'e');
    refuse = 'c';
    expect(await delivery.drain()).toEqual({ delivered: 3, failed: 1 });
    expect(received).toEqual(['a', 'b', 'd']);
    expect(await waiting()).toEqual([
      ['c', 1],
      ['e', 0],
    ]);
  });

  it('once shutting down, a round ends with the batch in hand', async () => {
    await queue('a', 'b', 'c');
    await delivery.onApplicationShutdown();
    expect(await delivery.drain()).toEqual({ delivered: 2, failed: 0 });
    expect(await waiting()).toEqual([['c', 0]]);
  });
});
