import { parse, protocol, type messages as wire, type PGlite, type Results } from '@electric-sql/pglite';
import { readRunResults } from './pglite-run-results.js';

/** How many prepared statements PGlite's one session keeps; the least recently used beyond it is closed. */
export const PREPARED_STATEMENTS_KEPT = 256;

/**
 * Statements with more parameters are not prepared. A prepared statement keeps its parse tree and
 * plans in WASM memory, which never shrinks, and the batched audit inserts make one text per batch
 * size (12 parameters an event, up to 256 events). Batches of up to 32 events stay prepared: with the
 * limit at 64 parameters (five events) client_credentials on PGlite ran at 0.86× the rate with every
 * batch prepared, the larger batches of its 32 connections parsed and planned each time; at 384, 0.97×
 * (A/B, four alternating rounds each, issue 14).
 */
export const MAX_PARAMETERS_PREPARED = 384;

/** Whether a statement with these parameters runs prepared; the others go through PGlite's `query()`. */
export function runsPrepared(params: readonly unknown[] | undefined): params is unknown[] {
  return params !== undefined && params.length > 0 && params.length <= MAX_PARAMETERS_PREPARED;
}

/**
 * PostgreSQL's refusals that mean the prepared statement itself is stale: a `SELECT *` or `RETURNING *`
 * whose table changed ("cached plan must not change result type"), or a statement the session no longer
 * has. The text is prepared again on its next run.
 */
const STALE_STATEMENT = new Set(['0A000', '26000']);

const { serialize } = protocol;

/** Statement names, unique in the process: a second PgliteStatements on one PGlite must not reuse one. */
let statementsNamed = 0;

/**
 * Runs parameterised SQL on PGlite as prepared statements of its one session (PostgreSQL's wire
 * protocol, "Extended Query"): parsed, described and planned once per text, then each run is one
 * Bind/Execute/Sync exchange with the WASM backend. PGlite's own `query()` sends six
 * exchanges and parses and plans the text every time; measured (issue 14) on a session rotation
 * (an UPDATE … RETURNING with an INSERT in a CTE): 842–990 µs a run through `query()`, 287 µs
 * prepared. The caller holds PGlite's locks (pglite.database.ts), as PGlite's `query()` does.
 *
 * A run does not describe its portal again: the row description the statement's Describe returned
 * at preparation is the portal's too, as every result column is sent as text (Bind names no result
 * formats; PostgreSQL protocol, "Extended Query": the statement's description has format codes of
 * zero, "not yet known"). Decoding the session row's 24-field description on every refresh cost
 * ≈180 µs in PGlite's protocol parser (issue 14). A table changed under a `SELECT *` does not leave
 * the description stale: PostgreSQL refuses such a run (0A000, below), and the text is prepared again.
 */
export class PgliteStatements {
  /** By SQL text, in order of last use (a Map keeps insertion order; a use re-inserts). */
  private readonly prepared = new Map<string, PreparedStatement>();
  /** Stale statements forgotten here but still held by the session: closed with the next preparation. */
  private readonly stale: string[] = [];

  constructor(
    private readonly db: PGlite,
    private readonly kept = PREPARED_STATEMENTS_KEPT,
  ) {}

  /** `syncToFs`: false inside a transaction, whose COMMIT writes (as PGlite's `query()` does). */
  async run<Row>(text: string, params: unknown[], syncToFs: boolean): Promise<Results<Row>> {
    const statement = this.prepared.get(text) ?? (await this.prepare(text));
    this.prepared.delete(text);
    this.prepared.set(text, statement);
    const values = params.map((value, i) => {
      if (value === null || value === undefined) return null;
      const serializer = this.db.serializers[statement.paramTypes[i]!];
      return serializer ? serializer(value) : String(value);
    });
    try {
      // The backend's answer arrives as views of WASM memory, copied here; read once it is all there.
      const answer: Uint8Array[] = [];
      await this.db.execProtocolRawStream(
        concat(serialize.bind({ statement: statement.name, values }), serialize.execute({}), serialize.sync()),
        { syncToFs, onRawData: (chunk) => answer.push(chunk.slice()) },
      );
      return readRunResults<Row>(answer.length === 1 ? answer[0]! : concat(...answer), statement.rowDescription, this.db.parsers);
    } catch (error) {
      if (STALE_STATEMENT.has((error as { code?: string }).code ?? '') && this.prepared.get(text) === statement) {
        this.prepared.delete(text);
        this.stale.push(statement.name);
      }
      throw error;
    }
  }

  /**
   * Parse and Describe: the parameter types decide how each value is written (a Date as a timestamp,
   * an object as JSON). Kept only once PostgreSQL accepted the text; closing an evicted statement and
   * the stale ones rides along (closing one the session no longer has is no error, protocol "Close").
   * Prepared statements belong to the session, not to a transaction: a ROLLBACK keeps them.
   */
  private async prepare(text: string): Promise<PreparedStatement> {
    const name = `federation_${++statementsNamed}`;
    const evicted = this.prepared.size >= this.kept ? this.prepared.entries().next().value : undefined;
    if (evicted) this.prepared.delete(evicted[0]);
    const closing = [...this.stale.splice(0), ...(evicted ? [evicted[1].name] : [])];
    const close = closing.map((closed) => serialize.close({ type: 'S', name: closed }));
    const { messages } = await this.db
      .execProtocol(concat(...close, serialize.parse({ name, text }), serialize.describe({ type: 'S', name }), serialize.sync()), {
        syncToFs: false,
      })
      .catch((error: unknown) => {
        // Refused before its Close ran (an aborted transaction) or after: closing again later is harmless.
        this.stale.push(...closing);
        throw error;
      });
    return {
      name,
      paramTypes: parse.parseDescribeStatementResults(messages),
      // Absent for a statement that returns no rows (NoData).
      rowDescription: messages.find((message): message is wire.RowDescriptionMessage => message.name === 'rowDescription'),
    };
  }

  /** How many statements are prepared now (for the spec). */
  get size(): number {
    return this.prepared.size;
  }
}

interface PreparedStatement {
  name: string;
  paramTypes: number[];
  rowDescription?: wire.RowDescriptionMessage;
}

function concat(...messages: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(messages.reduce((length, message) => length + message.length, 0));
  let offset = 0;
  for (const message of messages) {
    out.set(message, offset);
    offset += message.length;
  }
  return out;
}
