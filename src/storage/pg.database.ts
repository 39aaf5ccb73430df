import { Logger } from '@nestjs/common';
import pg from 'pg';
import {
  DatabaseUnavailableError,
  type Database,
  type NamedStatement,
  type Queryable,
  type QueryResult,
  type TransactionOptions,
} from './database.js';
import { typeParserOf } from './pg-timestamps.js';
import { unavailableCause } from './pg-unavailable.js';

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
const DEFAULT_CONNECT_TIMEOUT_SECONDS = 5;
const DEFAULT_STATEMENT_TIMEOUT_SECONDS = 10;
/** setTimeout's largest delay (about 24.8 days), for no bound: `pg` reads a `query_timeout` of 0 as "use the pool's". */
const NO_READ_TIMEOUT_MS = 2 ** 31 - 1;

/** {@link Database} over a `pg.Pool`: production and CI. */
export class PostgresDatabase implements Database {
  readonly engine = 'postgres' as const;
  private readonly pool: pg.Pool;
  private readonly connectMs: number;
  /** What each connection failed with, noted by the listener it has for its whole life. */
  private readonly connectionFailures = new WeakMap<pg.Client, Error>();

  constructor(connectionUrl: string, options: PostgresDatabaseOptions = {}) {
    this.connectMs = (options.connectTimeoutSeconds ?? DEFAULT_CONNECT_TIMEOUT_SECONDS) * 1000;
    const statementMs = (options.statementTimeoutSeconds ?? DEFAULT_STATEMENT_TIMEOUT_SECONDS) * 1000;
    this.pool = new pg.Pool({
      connectionString: connectionUrl,
      types: { getTypeParser: typeParserOf },
      max: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
      connectionTimeoutMillis: this.connectMs,
      // Sent as startup parameters: the server enforces them, and a cancelled statement is rolled back.
      statement_timeout: statementMs,
      idle_in_transaction_session_timeout: statementMs,
      query_timeout: this.readTimeoutMs(statementMs),
    });
    this.pool.on('error', options.onIdleClientError ?? warnAboutIdleClientError);
    // pg-pool listens for a connection's errors only while it is idle: one that fails while checked
    // out between two statements of a transaction (a restart, idle_in_transaction_session_timeout)
    // would emit an unhandled 'error', which ends the process. So every connection has a listener of
    // its own, and its transaction finds the failure before its next statement.
    this.pool.on('connect', (client) =>
      // The first failure says why (57P01: the server ended it); the end of the socket follows it.
      client.on('error', (error) => this.connectionFailures.has(client) || this.connectionFailures.set(client, error)),
    );
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
    const timeoutMs = options.statementTimeoutSeconds === undefined ? undefined : Math.trunc(options.statementTimeoutSeconds * 1000);
    const tx = new ClientTransaction(
      client,
      () => this.connectionFailures.get(client),
      timeoutMs === undefined ? undefined : this.readTimeoutMs(timeoutMs),
    );
    // A client whose ROLLBACK failed may still be inside a transaction: destroy it, don't pool it.
    let unusable: Error | undefined;
    try {
      await tx.run('BEGIN');
      if (timeoutMs !== undefined) {
        // SET LOCAL, in one round trip: both return to the connection's own at the transaction's end.
        await tx.run(`SELECT set_config('statement_timeout', $1, true), set_config('idle_in_transaction_session_timeout', $1, true)`, [
          String(timeoutMs),
        ]);
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
      // A connection that failed gets no ROLLBACK, which would wait out a second timeout behind the
      // statement it never answered: the server rolls back a transaction whose connection goes.
      unusable = tx.failedConnection();
      if (!unusable)
        await client.query('ROLLBACK').catch((rollbackError: Error) => {
          unusable = rollbackError;
        });
      throw error;
    } finally {
      tx.close();
      client.release(unusable);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /**
   * A server that stopped answering altogether (a half-open connection) cancels nothing: the client
   * gives up one connect timeout after the server would have cancelled, so it cuts off only a statement
   * the server did not answer at all, never one it was still allowed to finish. None for no bound.
   */
  private readTimeoutMs(statementMs: number): number {
    return statementMs === 0 ? NO_READ_TIMEOUT_MS : statementMs + this.connectMs;
  }
}

/** The `tx` handle: refuses use after its transaction ended, when the client may serve someone else. */
class ClientTransaction implements Queryable {
  private closed = false;
  /** Set when a statement failed because the connection did (not the statement): it must not be pooled again. */
  private failed: DatabaseUnavailableError | undefined;

  constructor(
    private readonly client: pg.PoolClient,
    /** What the connection failed with between statements (its 'error' event), if it did. */
    private readonly connectionError: () => Error | undefined,
    /** `pg`'s read timeout for this transaction's statements, where it has its own statement timeout. */
    private readonly readTimeoutMs: number | undefined,
  ) {}

  async query<Row = Record<string, unknown>>(sql: string | NamedStatement, params?: unknown[]): Promise<QueryResult<Row>> {
    if (this.closed) throw new Error('Transaction is closed');
    return toQueryResult<Row>(await this.run(sql, params));
  }

  /** The failure that makes this connection unfit to roll back and reuse, if there was one. */
  failedConnection(): DatabaseUnavailableError | undefined {
    const error = this.connectionError();
    if (error) this.failed ??= unavailableCause(error) ?? new DatabaseUnavailableError('CONNECTION_LOST', false);
    return this.failed;
  }

  /** The statement with `pg`'s whole answer (its command tag too); a failed connection remembered. */
  async run(sql: string | NamedStatement, params?: unknown[]): Promise<pg.QueryResult> {
    const failed = this.failedConnection();
    if (failed) throw failed;
    const config = queryConfig(sql, params);
    if (this.readTimeoutMs !== undefined) config.query_timeout = this.readTimeoutMs;
    try {
      return await this.client.query(config);
    } catch (error) {
      const unavailable = unavailableCause(error);
      if (!unavailable) throw error;
      if (!unavailable.connectionUsable) this.failed ??= unavailable;
      throw unavailable;
    }
  }

  close(): void {
    this.closed = true;
  }
}

const log = new Logger('Database');

/**
 * A pooled connection that failed while idle (a restart, a failover, `pg_terminate_backend`): pg-pool
 * drops it, and the next statement gets a new one. Said in the service's JSON log, with its code
 * (SQLSTATE or socket error), where `process.emitWarning` wrote a line of text to stderr beside it.
 */
function warnAboutIdleClientError(error: Error): void {
  // pg's or the socket's words ("Connection terminated unexpectedly" has no code): no statement ran on it.
  log.warn({ code: (error as { code?: unknown }).code, reason: error.message }, 'idle PostgreSQL connection failed; the pool replaces it');
}

/** A named statement is prepared by `pg` on each connection at its first use, and executed by name after. */
function queryConfig(sql: string | NamedStatement, values?: unknown[]): pg.QueryConfig & { query_timeout?: number } {
  return typeof sql === 'string' ? { text: sql, values } : { name: sql.name, text: sql.text, values };
}

/** `pg` reports `rowCount: null` for statements without a count (DDL, BEGIN, SET). */
function toQueryResult<Row>(result: pg.QueryResult): QueryResult<Row> {
  return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
}
