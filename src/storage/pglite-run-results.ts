import { Buffer } from 'node:buffer';
import { protocol, types, type messages, type PGlite, type Results } from '@electric-sql/pglite';

/** Backend message types a prepared statement's run reads (PostgreSQL protocol, "Message Formats"). */
const DATA_ROW = 0x44; // 'D'
const COMMAND_COMPLETE = 0x43; // 'C'
const ERROR_RESPONSE = 0x45; // 'E'

/** The commands whose tag's count is rows written; PGlite's `affectedRows` counts only these. */
const WRITING_COMMANDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'COPY', 'MERGE']);

/**
 * Reads what PGlite's backend answered to one Bind/Execute/Sync of a prepared statement: its rows,
 * by the row description kept at preparation, each value through PGlite's own type parsers, as
 * `parse.parseResults` would give them; a refusal is thrown as PGlite's own `DatabaseError`.
 *
 * Why not PGlite's protocol parser: it copies every field of every row into an ArrayBuffer of its
 * own before decoding it (`bytes()`: `buffer.slice`), and builds a DataView per message. For the
 * 24-column session row that was the largest JavaScript item of a token exchange on PGlite, and the
 * ArrayBuffers kept V8's background thread busy freeing them (issue 14). Here a field is decoded
 * straight from the answer's bytes.
 *
 * Only the messages a run can carry are read: DataRow, CommandComplete, ErrorResponse; the others
 * (BindComplete, NoData, NoticeResponse, ReadyForQuery) carry nothing a result needs. No statement
 * here LISTENs, so no NotificationResponse is owed to a listener.
 */
export function readRunResults<Row>(
  answer: Uint8Array,
  description: messages.RowDescriptionMessage | undefined,
  parsers: PGlite['parsers'],
): Results<Row> {
  const bytes = Buffer.from(answer.buffer, answer.byteOffset, answer.byteLength);
  const fields = description?.fields ?? [];
  const rows: Row[] = [];
  let tag: string | undefined;
  // Each message: a type byte, a length counting itself but not the type, then the body.
  for (let at = 0; at < bytes.length;) {
    const type = bytes[at];
    const end = at + 1 + bytes.readInt32BE(at + 1);
    if (type === DATA_ROW) rows.push(readRow<Row>(bytes, at + 5, fields, parsers));
    // The command tag, without its closing NUL.
    else if (type === COMMAND_COMPLETE && tag === undefined) tag = bytes.toString('utf8', at + 5, end - 1);
    else if (type === ERROR_RESPONSE) throw firstRefusal(answer);
    at = end;
  }
  const result: Results<Row> = { rows, fields: fields.map(({ name, dataTypeID }) => ({ name, dataTypeID })), affectedRows: 0 };
  if (tag === undefined) return result;
  // Its last word is the count ("INSERT 0 1", "UPDATE 3", "SELECT 2").
  const words = tag.split(' ');
  const count = Number.parseInt(words[words.length - 1]!, 10);
  return {
    ...result,
    command: words[0],
    affectedRows: WRITING_COMMANDS.has(words[0]!) ? count : 0,
    ...(Number.isNaN(count) ? {} : { rowCount: count }),
  } as Results<Row>;
}

/** DataRow: a count of fields, then each as a length (-1: NULL) and that many bytes of text. */
function readRow<Row>(bytes: Buffer, at: number, fields: messages.Field[], parsers: PGlite['parsers']): Row {
  const row: Record<string, unknown> = {};
  const count = bytes.readInt16BE(at);
  let offset = at + 2;
  for (let i = 0; i < count; i++) {
    const length = bytes.readInt32BE(offset);
    offset += 4;
    const field = fields[i]!;
    if (length < 0) row[field.name] = null;
    else {
      row[field.name] = types.parseType(bytes.toString('utf8', offset, offset + length), field.dataTypeID, parsers);
      offset += length;
    }
  }
  return row as Row;
}

/** A refusal is rare: PGlite's own parser reads it, so the error is the very one `execProtocol` throws. */
function firstRefusal(answer: Uint8Array): Error {
  let refusal: Error | undefined;
  new protocol.Parser().parse(answer, (message) => {
    if (message.name === 'error' && refusal === undefined) refusal = message as unknown as Error;
  });
  return refusal ?? new Error('PGlite answered with an error it could not read');
}
