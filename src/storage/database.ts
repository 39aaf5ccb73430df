/**
 * The one port every repository talks to. Both adapters (PostgreSQL through `pg`, embedded PGlite)
 * speak the same SQL dialect, so one set of migrations and one set of repositories serve both.
 */
export interface QueryResult<Row> {
  rows: Row[];
  /** Rows inserted, updated or deleted by the statement (0 for a SELECT on PGlite). */
  rowCount: number;
}

/**
 * A statement of a hot path that PostgreSQL plans once per connection instead of at every execution
 * (a named prepared statement, Frontend/Backend Protocol §55.2.3). Measured (issue 14): a refresh's
 * rotation spends ≈0.5 ms of the server's CPU planning its CTEs, more than executing them; prepared,
 * rotations on one pool ran 3.2× as fast. PGlite plans in the caller's process and takes the text.
 * Its columns are named, never `*`: PostgreSQL replans a prepared statement after a migration, but
 * refuses one whose result columns changed ("cached plan must not change result type"), which an
 * added column would do to every instance still running during a rolling upgrade.
 */
export interface NamedStatement {
  /** Unique per statement text: PostgreSQL keeps one plan per name and connection. */
  readonly name: string;
  readonly text: string;
}

/** Something that runs parameterised SQL: the database itself, or one open transaction. */
export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string | NamedStatement, params?: unknown[]): Promise<QueryResult<Row>>;
}

/** The SQL text of `sql`, for adapters and wrappers that have no use for the name. */
export function statementText(sql: string | NamedStatement): string {
  return typeof sql === 'string' ? sql : sql.text;
}

export interface Database extends Queryable {
  readonly engine: 'postgres' | 'pglite';
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws.
   * Inside `fn` use only `tx`; PGlite has one connection, so the outer handle would wait forever.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>, options?: TransactionOptions): Promise<T>;
  close(): Promise<void>;
}

export interface TransactionOptions {
  /**
   * In place of `database.statementTimeoutSeconds` for this transaction's statements (PostgreSQL;
   * PGlite has none); 0 for no bound. Schema migrations take 0: an index built over a large table, or
   * the wait for another instance's migration, may take minutes. Housekeeping's purges take a longer
   * bound than a request's statements.
   */
  readonly statementTimeoutSeconds?: number;
}

/**
 * The database did not answer in time or could not be reached: no connection within the connect
 * timeout, PostgreSQL cancelled a statement (`statement_timeout`) or ended the session, it is shutting
 * down or out of connections, or a connection failed or went silent. The same request may succeed once
 * the database is back: callers answer it as retryable (RFC 6749 §5.2 `temporarily_unavailable`).
 * Where the database said so (a cancelled statement, a refused connection) nothing was done. Where the
 * connection failed or went silent after a statement was sent, whether it committed is unknown: the
 * retry of a refresh whose rotation did commit is a reuse, and ends its session (fail closed).
 * Its message is fixed wording, and `code` the cause's SQLSTATE or system error code, or `pg`'s failure
 * (`QUERY_TIMEOUT`, `CONNECT_TIMEOUT`, `CONNECTION_LOST`, `POOL_ENDED`): no data.
 */
export class DatabaseUnavailableError extends Error {
  constructor(
    readonly code: string,
    /** False when the connection itself failed (it must be discarded, not rolled back and reused). */
    readonly connectionUsable: boolean,
  ) {
    super(`the database is unavailable (${code})`);
    this.name = 'DatabaseUnavailableError';
  }
}

/** Nest injection token for the {@link Database}. */
export const DATABASE = Symbol('DATABASE');

/** What readiness says of the database: it answers and takes writes, it does not answer, or it refuses writes. */
export type DatabaseReadiness = 'ok' | 'unreachable' | 'read-only';

/**
 * Readiness: whether the database answers, and whether it would take a write. A hot standby (a
 * connection string left on the old primary after a failover) or a role or database set to
 * `default_transaction_read_only` answers every read and refuses every write (25006): every login,
 * refresh and client_credentials grant would get 503 while a probe of `SELECT 1` said all was well.
 */
export function databaseReadiness(db: Queryable): Promise<DatabaseReadiness> {
  return db.query<{ read_only: string }>(`SELECT current_setting('transaction_read_only') AS read_only`).then(
    ({ rows }) => (rows[0]?.read_only === 'off' ? 'ok' : 'read-only'),
    () => 'unreachable',
  );
}
