import { parse, PGlite, protocol, type messages } from '@electric-sql/pglite';
import { readRunResults } from './pglite-run-results.js';

const { serialize } = protocol;

/** Prepares `text` in PGlite's session and returns a function giving one run's raw answer. */
async function prepared(db: PGlite, name: string, text: string) {
  const { messages: described } = await db.execProtocol(
    Buffer.concat([serialize.parse({ name, text }), serialize.describe({ type: 'S', name }), serialize.sync()]),
  );
  const description = described.find((message): message is messages.RowDescriptionMessage => message.name === 'rowDescription');
  const run = (values: (string | null)[]) =>
    db.execProtocolRaw(Buffer.concat([serialize.bind({ statement: name, values }), serialize.execute({}), serialize.sync()]));
  return { description, run };
}

/** What PGlite's own parser makes of the same answer: the reference this reader must equal. */
function asPgliteReadsIt(answer: Uint8Array, description: messages.RowDescriptionMessage | undefined, db: PGlite) {
  const read: messages.BackendMessage[] = [];
  new protocol.Parser().parse(answer, (message) => read.push(message));
  return parse.parseResults(description ? [description, ...read] : read, db.parsers)[0];
}

describe('readRunResults', () => {
  let db: PGlite;
  beforeAll(async () => {
    db = await PGlite.create();
    await db.exec(
      'CREATE TABLE r (id int PRIMARY KEY, big int8, at timestamptz, doc jsonb, tags text[], flag boolean, name text, raw bytea)',
    );
  });
  afterAll(() => db.close());

  it('reads rows of every kind of value as PGlite’s own parser does', async () => {
    const insert = await prepared(db, 'ins', 'INSERT INTO r VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *');
    for (const values of [
      ['1', '9007199254740993', '2030-01-01T10:00:00.123Z', '{"a":["é",1]}', '{x,"y,z"}', 't', 'Ærø – 😀', '\\x00ff'],
      ['2', null, null, null, null, null, null, null],
      ['3', '-1', '1999-12-31T23:59:59Z', '[]', '{}', 'f', '', '\\x'],
    ]) {
      const answer = await insert.run(values);
      const reference = asPgliteReadsIt(answer, insert.description, db);
      expect(readRunResults(answer, insert.description, db.parsers)).toEqual(reference);
      expect(reference).toMatchObject({ affectedRows: 1, rowCount: 1, command: 'INSERT' });
    }
    const select = await prepared(db, 'sel', 'SELECT * FROM r WHERE id >= $1 ORDER BY id');
    const answer = await select.run(['1']);
    const read = readRunResults<{ id: number; tags: string[] | null }>(answer, select.description, db.parsers);
    expect(read).toEqual(asPgliteReadsIt(answer, select.description, db));
    expect(read.rows.map((row) => row.id)).toEqual([1, 2, 3]);
    expect(read.rows[0]!.tags).toEqual(['x', 'y,z']);
    expect(read.affectedRows).toBe(0);
  });

  it('counts rows written by UPDATE and DELETE, and reads a statement without rows as none', async () => {
    await db.exec(`INSERT INTO r (id) VALUES (10), (11), (12)`);
    const update = await prepared(db, 'upd', 'UPDATE r SET flag = true WHERE id >= $1');
    const updated = await update.run(['10']);
    expect(update.description).toBeUndefined();
    expect(readRunResults(updated, undefined, db.parsers)).toEqual(asPgliteReadsIt(updated, undefined, db));
    expect(readRunResults(updated, undefined, db.parsers)).toMatchObject({ rows: [], fields: [], affectedRows: 3, command: 'UPDATE' });
    const remove = await prepared(db, 'del', 'DELETE FROM r WHERE id >= $1 AND id < $2');
    const removed = await remove.run(['10', '12']);
    expect(readRunResults(removed, undefined, db.parsers)).toMatchObject({ affectedRows: 2, rowCount: 2, command: 'DELETE' });
  });

  it('throws the refusal as PGlite’s own DatabaseError, with its code', async () => {
    const insert = await prepared(db, 'dup', 'INSERT INTO r (id) VALUES ($1)');
    await insert.run(['20']);
    const answer = await insert.run(['20']);
    let pgliteError: unknown;
    await db
      .execProtocol(Buffer.concat([serialize.bind({ statement: 'dup', values: ['20'] }), serialize.execute({}), serialize.sync()]))
      .catch((error: unknown) => {
        pgliteError = error;
      });
    expect(() => readRunResults(answer, undefined, db.parsers)).toThrow(pgliteError!.constructor as new () => Error);
    expect(() => readRunResults(answer, undefined, db.parsers)).toThrow(
      expect.objectContaining({ code: '23505', severity: 'ERROR', constraint: 'r_pkey' }),
    );
  });
});
