import { engines, type Scratch } from '../../test/support/database-engines.js';
import { AuditEventRepository, type NewAuditEvent } from './audit-event.repository.js';
import { DatabaseUnavailableError, statementText, type Database, type NamedStatement } from './database.js';
import { migrate } from './migrator.js';

const event = (clientId: string, details: Record<string, unknown> = {}): NewAuditEvent => ({
  occurred_at: new Date('2030-01-01T10:00:00Z'),
  realm: 'r',
  type: 'CLIENT_LOGIN',
  outcome: 'success',
  client_id: clientId,
  user_id: null,
  session_id: null,
  idp_alias: null,
  ip_address: '127.0.0.1',
  tenant: null,
  error: null,
  details,
});

/** Audit events recorded on their own are written by a group commit (issue 14). */
describe.each(engines)('audit events on $name', (engine) => {
  let scratch: Scratch;
  let db: Database;
  let statements: (string | NamedStatement)[];
  let events: AuditEventRepository;

  beforeAll(async () => {
    scratch = await engine.createScratch();
    const real = await scratch.connect();
    await migrate(real);
    // The same database, counting the INSERTs it is sent.
    db = Object.assign(Object.create(real) as Database, {
      query: (sql: string | NamedStatement, params?: unknown[]) => {
        if (statementText(sql).startsWith('INSERT INTO audit_events')) statements.push(sql);
        return real.query(sql, params);
      },
      transaction: real.transaction.bind(real),
    });
    events = new AuditEventRepository(db);
  });
  beforeEach(() => (statements = []));
  afterAll(() => scratch?.dispose());

  const stored = async (prefix: string) =>
    (
      await db.query<{ client_id: string }>(`SELECT client_id FROM audit_events WHERE client_id LIKE $1 ORDER BY id`, [`${prefix}%`])
    ).rows.map((row) => row.client_id);

  it('writes the events recorded together in one statement, and each is stored when its promise settles', async () => {
    await Promise.all(Array.from({ length: 40 }, (_, i) => events.insert(event(`together-${i}`))));
    expect(statements).toHaveLength(1);
    expect(await stored('together-')).toHaveLength(40);
  });

  it('names the statements of up to 64 events, one name a size, so each is planned once per connection', async () => {
    for (const round of [1, 2]) await Promise.all(Array.from({ length: 3 }, (_, i) => events.insert(event(`named-${round}-${i}`))));
    await Promise.all(Array.from({ length: 64 }, (_, i) => events.insert(event(`named-64-${i}`))));
    expect(statements.map((sql) => (typeof sql === 'string' ? 'unnamed' : sql.name))).toEqual([
      'audit-events.insert-3',
      'audit-events.insert-3',
      'audit-events.insert-64',
    ]);
    expect(await stored('named-')).toHaveLength(70);
  });

  it('leaves a larger statement, which only a flood makes, unnamed', async () => {
    await Promise.all(Array.from({ length: 65 }, (_, i) => events.insert(event(`flood-${i}`))));
    expect(statements.map((sql) => typeof sql)).toEqual(['string']);
    expect(await stored('flood-')).toHaveLength(65);
  });

  it('writes an event alone when nothing else waits', async () => {
    await events.insert(event('alone'));
    expect(statements).toHaveLength(1);
    expect(await stored('alone')).toEqual(['alone']);
  });

  it('fails only the event the database refuses, and stores the others of its statement', async () => {
    // jsonb cannot hold U+0000: the database refuses this row, and with it the statement it is in.
    const results = await Promise.allSettled([
      events.insert(event('mixed-1')),
      events.insert(event('mixed-bad', { reason: 'nul \u0000' })),
      events.insert(event('mixed-2')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await stored('mixed-')).sort()).toEqual(['mixed-1', 'mixed-2']);
  });

  it('fails every event of a statement the database did not answer, without trying each alone', async () => {
    const answering = new AuditEventRepository(
      Object.assign(Object.create(db) as Database, {
        query: (sql: string | NamedStatement) => {
          statements.push(sql);
          return Promise.reject(new DatabaseUnavailableError('QUERY_TIMEOUT', false));
        },
      }),
    );
    const results = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => answering.insert(event(`unanswered-${i}`))));
    expect(results.map((r) => r.status)).toEqual(Array(5).fill('rejected'));
    expect(results.map((r) => (r as PromiseRejectedResult).reason)).toEqual(Array(5).fill(expect.any(DatabaseUnavailableError)));
    expect(statements).toHaveLength(1);
  });

  it('writes an event inside the caller’s transaction at once, and rolls it back with it', async () => {
    await expect(
      db.transaction(async (tx) => {
        await events.insert(event('in-tx'), tx);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await stored('in-tx')).toEqual([]);
  });
});
