import pg from 'pg';
import {
  DatabaseUnavailableError,
  type Database,
  type NamedStatement,
  type Queryable,
  type QueryResult,
  type TransactionOptions,
} from './database.js';

export interface PostgresDatabaseOptions {
  /** Upper bound on open connections; modest, because several instances may share one server. */
  maxConnections?: number;
  /**
   * How long to wait for a connection: a new one's handshake, or a pooled one when all are busy
   * (`database.connectTimeoutSeconds`). Without it a host that drops packets holds every request
   * until the kernel gives up on the TCP handshake, minutes later.
   */
  connectTimeoutSeconds?: number;
  /**
   * PostgreSQL cancels a statement that runs longer, and ends a session left idle inside a transaction
   * that long (`statement_timeout`, `idle_in_transaction_session_timeout`; `database.statementTimeoutSeconds`).
   * Bounds a statement waiting for a row lock, and what a group commit (group-commit.ts) queued behind it waits.
   */
  statementTimeoutSeconds?: number;
  /**
   * Called when an idle pooled connection fails (server restart, network drop). The pool already
   * discards that connection; without a listener `pg` would crash the process instead.
   */
  onIdleClientError?: (error: Error) => void;
}

const DEFAULT_MAX_CONNECTIONS = 10;
export const DEFAULT_CONNECT_TIMEOUT_SECONDS = 5;
export const DEFAULT_STATEMENT_TIMEOUT_SECONDS = 10;
/** setTimeout's largest delay (about 24.8 days): `pg` reads a `query_timeout` of 0 as "use the pool's". */
const NO_READ_TIMEOUT_MS = 2 ** 31 - 1;

/** {@link Database} over a `pg.Pool`: production and CI. */
export class PostgresDatabase implements Database {
  readonly engine = 'postgres' as const;
  private readonly pool: pg.Pool;

  constructor(connectionUrl: string, options: PostgresDatabaseOptions = {}) {
    const connectMs = (options.connectTimeoutSeconds ?? DEFAULT_CONNECT_TIMEOUT_SECONDS) * 1000;
    const statementMs = (options.statementTimeoutSeconds ?? DEFAULT_STATEMENT_TIMEOUT_SECONDS) * 1000;
    this.pool = new pg.Pool({
      connectionString: connectionUrl,
      max: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
      connectionTimeoutMillis: connectMs,
      // Sent as startup parameters: the server enforces them, and a cancelled statement is rolled back.
      statement_timeout: statementMs,
      idle_in_transaction_session_timeout: statementMs,
      // A server that stopped answering altogether (a half-open connection) cancels nothing: the client
      // gives up one connect timeout after the server would have cancelled, so it cuts off only a
      // statement the server did not answer at all, never one the server was still allowed to finish.
      query_timeout: statementMs + connectMs,
    });
    this.pool.on('error', options.onIdleClientError ?? warnAboutIdleClientError);
  }

  async query<Row = Record<string, unknown>>(sql: string | NamedStatement, params?: unknown[]): Promise<QueryResult<Row>> {
    try {
      return toQueryResult<Row>(await this.pool.query(queryConfig(sql, params)));
    } catch (error) {
      throw unavailableCause(error) ?? error;
    }
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw unavailableCause(error) ?? error;
    }
    const tx = new ClientTransaction(client, options.untimed === true);
    // pg-pool listens for a checked-out client's errors no more: a connection lost between two
    // statements (the server restarted, idle_in_transaction_session_timeout) would be an unhandled
    // 'error' event, which ends the process. It is noted, and fails the transaction's next statement.
    const onConnectionError = (error: Error) => tx.noteConnectionError(error);
    client.on('error', onConnectionError);
    // A client whose ROLLBACK failed may still be inside a transaction: destroy it, don't pool it.
    let unusable: Error | undefined;
    try {
      await tx.run('BEGIN');
      if (options.untimed) {
        await tx.run('SET LOCAL statement_timeout = 0');
        await tx.run('SET LOCAL idle_in_transaction_session_timeout = 0');
      }
      const result = await fn(tx);
      const commit = await tx.run('COMMIT');
      // PostgreSQL answers COMMIT of an aborted transaction (a statement failed and `fn` swallowed
      // the error) with a ROLLBACK tag and no error. PGlite throws there; so do we, or the caller
      // would believe writes were kept that were not.
      if (commit.command === 'ROLLBACK') {
        throw new Error('Transaction was rolled back instead of committed: a statement inside it failed');
      }
      return result;
    } catch (error) {
      // A connection that failed gets no ROLLBACK, which would wait out a second timeout: the server
      // rolls back a transaction whose connection goes.
      if (tx.connectionFailed) unusable = tx.connectionFailed;
      else
        await client.query('ROLLBACK').catch((rollbackError: Error) => {
          unusable = rollbackError;
        });
      throw error;
    } finally {
      tx.close();
      client.release(unusable);
      client.removeListener('error', onConnectionError);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** The `tx` handle: refuses use after its transaction ended, when the client may serve someone else. */
class ClientTransaction implements Queryable {
  private closed = false;
  /** Set when a statement failed because the connection did (not the statement): it must not be pooled again. */
  connectionFailed: DatabaseUnavailableError | undefined;

  constructor(
    private readonly client: pg.PoolClient,
    private readonly untimed: boolean,
  ) {}

  async query<Row = Record<string, unknown>>(sql: string | NamedStatement, params?: unknown[]): Promise<QueryResult<Row>> {
    if (this.closed) throw new Error('Transaction is closed');
    return toQueryResult<Row>(await this.run(sql, params));
  }

  noteConnectionError(error: Error): void {
    this.connectionFailed ??= unavailableCause(error) ?? new DatabaseUnavailableError('CONNECTION_LOST', false);
  }

  /** The statement with `pg`'s whole answer (its command tag too); a failed connection remembered. */
  async run(sql: string | NamedStatement, params?: unknown[]): Promise<pg.QueryResult> {
    if (this.connectionFailed) throw this.connectionFailed;
    const config = queryConfig(sql, params);
    if (this.untimed) config.query_timeout = NO_READ_TIMEOUT_MS;
    try {
      return await this.client.query(config);
    } catch (error) {
      const unavailable = unavailableCause(error);
      if (!unavailable) throw error;
      if (!unavailable.connectionUsable) this.connectionFailed = unavailable;
      throw unavailable;
    }
  }

  close(): void {
    this.closed = true;
  }
}

/**
 * A string, not the error itself: `process.emitWarning` rejects an Error from another realm (jest's
 * module sandbox) with a TypeError, which would turn a harmless dropped connection into a crash.
 */
function warnAboutIdleClientError(error: Error): void {
  process.emitWarning(`idle PostgreSQL connection failed: ${error.message}`);
}

/**
 * SQLSTATE classes in which the database, not the statement, failed (PostgreSQL Appendix A): 08
 * connection exception, 53 insufficient resources (too many connections, disk full), 57 operator
 * intervention (57014 a statement cancelled at statement_timeout, 57P01 shutdown, 57P03 starting up).
 * 25P03: the session ended at idle_in_transaction_session_timeout.
 */
const UNAVAILABLE_SQLSTATE = /^(08|53|57)|^25P03$/;

/** `pg`'s own failures of a connection: plain Errors, known only by their fixed wording. */
const PG_CONNECTION_FAILURES: ReadonlyMap<string, string> = new Map([
  ['Query read timeout', 'QUERY_TIMEOUT'],
  ['timeout exceeded when trying to connect', 'CONNECT_TIMEOUT'],
  ['Connection terminated due to connection timeout', 'CONNECT_TIMEOUT'],
  ['Connection terminated unexpectedly', 'CONNECTION_LOST'],
  ['Connection terminated', 'CONNECTION_LOST'],
  ['Client has encountered a connection error and is not queryable', 'CONNECTION_LOST'],
  ['Cannot use a pool after calling end on the pool', 'POOL_ENDED'],
]);

/** The {@link DatabaseUnavailableError} `error` amounts to, or undefined when the statement itself failed. */
export function unavailableCause(error: unknown): DatabaseUnavailableError | undefined {
  if (error instanceof DatabaseUnavailableError) return error;
  if (error instanceof pg.DatabaseError) {
    const code = error.code ?? '';
    // Only a cancelled statement leaves its connection in working order.
    return UNAVAILABLE_SQLSTATE.test(code) ? new DatabaseUnavailableError(code, code === '57014') : undefined;
  }
  if (!(error instanceof Error)) return undefined;
  // A system error of the socket (ECONNREFUSED, ECONNRESET, ENOTFOUND …) carries the failed call.
  const { code, syscall } = error as NodeJS.ErrnoException;
  if (syscall !== undefined && code !== undefined) return new DatabaseUnavailableError(code, false);
  const known = PG_CONNECTION_FAILURES.get(error.message);
  return known === undefined ? undefined : new DatabaseUnavailableError(known, false);
}

/** A named statement is prepared by `pg` on each connection at its first use, and executed by name after. */
function queryConfig(sql: string | NamedStatement, values?: unknown[]): pg.QueryConfig & { query_timeout?: number } {
  return typeof sql === 'string' ? { text: sql, values } : { name: sql.name, text: sql.text, values };
}

/** `pg` reports `rowCount: null` for statements without a count (DDL, BEGIN, SET). */
function toQueryResult<Row>(result: pg.QueryResult): QueryResult<Row> {
  return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
}
