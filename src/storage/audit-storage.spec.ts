import { engines } from '../../test/support/database-engines.js';
import { migratedScratch } from '../../test/support/migrated-scratch.js';
import { at, T0 } from '../../test/support/session-rows.js';
import { AuditEventRepository, type NewAuditEvent } from './audit-event.repository.js';
import type { Database } from './database.js';
import { FhirAuditOutboxRepository } from './fhir-audit-outbox.repository.js';

/** The audit trail's tables (migrations 011, 014) on every engine: events, and the FHIR AuditEvent queue. */
describe.each(engines)('audit storage on $name', (engine) => {
  const storage = migratedScratch(engine);
  let db: Database;
  let events: AuditEventRepository;
  let outbox: FhirAuditOutboxRepository;

  beforeAll(() => {
    db = storage.db;
    events = new AuditEventRepository(db);
    outbox = new FhirAuditOutboxRepository(db);
  });

  const event = (seconds: number, fields: Partial<NewAuditEvent> = {}): NewAuditEvent => ({
    occurred_at: at(seconds),
    realm: 'r',
    type: 'LOGIN',
    outcome: 'success',
    client_id: 'app',
    user_id: 'u1',
    session_id: null,
    idp_alias: 'mock',
    ip_address: '192.0.2.1',
    tenant: null,
    error: null,
    details: { scope: 'openid', audience: ['xis'] },
    ...fields,
  });

  it('an event written in a transaction that rolls back is gone with the change it recorded', async () => {
    await expect(
      db.transaction(async (tx) => {
        await events.insert(event(0, { realm: 'rolled-back' }), tx);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await events.list({ realm: 'rolled-back', first: 0, max: 10 })).toEqual([]);
  });

  it('lists a realm’s events newest first, filtered by types, client, user and an inclusive time range, paged', async () => {
    await events.insert(event(1, { realm: 'list' }));
    await events.insert(event(2, { realm: 'list', type: 'LOGOUT', user_id: 'u2' }));
    await events.insert(event(3, { realm: 'list', type: 'CLIENT_LOGIN', client_id: 'sys', user_id: null }));
    await events.insert(event(3, { realm: 'other' }));
    const list = (query: object) => events.list({ realm: 'list', first: 0, max: 10, ...query }).then((rows) => rows.map((r) => r.type));

    expect(await list({})).toEqual(['CLIENT_LOGIN', 'LOGOUT', 'LOGIN']);
    expect(await list({ types: ['LOGIN', 'LOGOUT'] })).toEqual(['LOGOUT', 'LOGIN']);
    expect(await list({ clientId: 'sys' })).toEqual(['CLIENT_LOGIN']);
    expect(await list({ userId: 'u2' })).toEqual(['LOGOUT']);
    expect(await list({ from: at(2), to: at(2) })).toEqual(['LOGOUT']);
    expect(await list({ first: 1, max: 1 })).toEqual(['LOGOUT']);
    const [row] = await events.list({ realm: 'list', types: ['LOGIN'], first: 0, max: 1 });
    expect(row).toMatchObject({ id: expect.any(String), occurred_at: at(1), details: { scope: 'openid', audience: ['xis'] } });
  });

  it('lists by the client address, and oldest first when asked, as Keycloak’s ipAddress and direction=asc', async () => {
    await events.insert(event(1, { realm: 'address', ip_address: '203.0.113.7' }));
    await events.insert(event(2, { realm: 'address', type: 'LOGOUT' }));
    await events.insert(event(3, { realm: 'address', type: 'REFRESH_TOKEN', ip_address: '203.0.113.7' }));
    const list = (query: object) => events.list({ realm: 'address', first: 0, max: 10, ...query }).then((rows) => rows.map((r) => r.type));

    expect(await list({ ipAddress: '203.0.113.7' })).toEqual(['REFRESH_TOKEN', 'LOGIN']);
    expect(await list({ ipAddress: '203.0.113.8' })).toEqual([]);
    expect(await list({ ascending: true })).toEqual(['LOGIN', 'LOGOUT', 'REFRESH_TOKEN']);
    expect(await list({ ascending: true, first: 1, max: 1 })).toEqual(['LOGOUT']);
  });

  it('finds the LOGIN events of given sessions of a user', async () => {
    await events.insert(event(0, { realm: 'logins', session_id: 's1' }));
    await events.insert(event(0, { realm: 'logins', session_id: 's2', type: 'REFRESH_TOKEN' }));
    const rows = await events.loginsOf('logins', 'u1', ['s1', 's2', 's3']);
    expect(rows.map((r) => r.session_id)).toEqual(['s1']);
  });

  describe('the FHIR AuditEvent queue', () => {
    const lease = at(60);

    it('leases a due entry to one claim until its lease runs out, and counts each attempt', async () => {
      await outbox.enqueue('lease', { resourceType: 'AuditEvent', n: 1 }, T0);
      const [first] = await outbox.claim(T0, lease, 'claim-1', 10, ['lease']);
      expect(first).toMatchObject({ realm: 'lease', attempts: 1, lease_token: 'claim-1', resource: { n: 1 } });
      expect(await outbox.claim(at(59), at(120), 'claim-2', 10, ['lease'])).toEqual([]);

      // The first claimant died: past its lease the entry is claimed again, and the stale claim can no longer finish it.
      const [again] = await outbox.claim(at(60), at(120), 'claim-3', 10, ['lease']);
      expect(again).toMatchObject({ id: first!.id, attempts: 2 });
      await outbox.delivered(first!.id, 'claim-1');
      expect(await outbox.pending('lease')).toHaveLength(1);
      await outbox.delivered(first!.id, 'claim-3');
      expect(await outbox.pending('lease')).toEqual([]);
    });

    it('a failed attempt releases the entry until its next attempt is due', async () => {
      await outbox.enqueue('retry', { resourceType: 'AuditEvent' }, T0);
      const [entry] = await outbox.claim(T0, lease, 'claim', 10, ['retry']);
      await outbox.retryLater(entry!.id, 'claim', at(5), 'FHIR create AuditEvent: HTTP 503');
      expect(await outbox.claim(at(4), lease, 'early', 10, ['retry'])).toEqual([]);
      expect(await outbox.claim(at(5), lease, 'due', 10, ['retry'])).toMatchObject([
        { attempts: 2, last_error: 'FHIR create AuditEvent: HTTP 503' },
      ]);
    });

    it('claims the entries of the realms named only, and counts those of any other realm, left as they were', async () => {
      await outbox.enqueue('kept', { resourceType: 'AuditEvent', n: 1 }, T0);
      await outbox.enqueue('gone', { resourceType: 'AuditEvent', n: 2 }, T0);
      expect(await outbox.claim(T0, lease, 'only-kept', 10, ['kept'])).toMatchObject([{ realm: 'kept', resource: { n: 1 } }]);
      expect(await outbox.pending('gone')).toMatchObject([{ attempts: 0, lease_token: null }]);
      expect(await outbox.strandedBesides(['kept', 'lease', 'retry', 'shared'])).toContainEqual({ realm: 'gone', entries: 1 });
      expect(await outbox.strandedBesides(['kept', 'gone'])).not.toContainEqual(expect.objectContaining({ realm: 'gone' }));
    });

    it('counts the entries waiting, all realms, and names when the oldest was queued', async () => {
      const before = await outbox.backlog();
      await outbox.enqueue('count', { resourceType: 'AuditEvent' }, at(10));
      await outbox.enqueue('count-other', { resourceType: 'AuditEvent' }, at(-30));
      const after = await outbox.backlog();
      expect(after.entries).toBe(before.entries + 2);
      expect(after.oldest).toEqual(at(-30));
    });

    it('claims running at the same time on separate connections take different entries', async () => {
      for (let i = 0; i < 20; i++) await outbox.enqueue('shared', { resourceType: 'AuditEvent', i }, T0);
      const other = new FhirAuditOutboxRepository(await storage.scratch.connect());
      const claims = await Promise.all([outbox.claim(at(1), lease, 'a', 15, ['shared']), other.claim(at(1), lease, 'b', 15, ['shared'])]);
      const ids = claims
        .flat()
        .filter((entry) => entry.realm === 'shared')
        .map((entry) => entry.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(20);
    });
  });
});
