import pg from 'pg';
import type { Database, NamedStatement, Queryable, QueryResult } from './database.js';

export interface PostgresDatabaseOptions {
  /** Upper bound on open connections; modest, because several instances may share one server. */
  maxConnections?: number;
  /**
   * Called when an idle pooled connection fails (server restart, network drop). The pool already
   * discards that connection; without a listener `pg` would crash the process instead.
   */
  onIdleClientError?: (error: Error) => void;
}

const DEFAULT_MAX_CONNECTIONS = 10;

/** {@link Database} over a `pg.Pool`: production and CI. */
export class PostgresDatabase implements Database {
  readonly engine = 'postgres' as const;
  private readonly pool: pg.Pool;

  constructor(connectionUrl: string, options: PostgresDatabaseOptions = {}) {
    this.pool = new pg.Pool({
      connectionString: connectionUrl,
      max: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
    });
    this.pool.on('error', options.onIdleClientError ?? warnAboutIdleClientError);
  }

  async query<Row = Record<string, unknown>>(sql: string | NamedStatement, params?: unknown[]): Promise<QueryResult<Row>> {
    return toQueryResult<Row>(await this.pool.query(queryConfig(sql, params)));
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const tx = new ClientTransaction(client);
    // A client whose ROLLBACK failed may still be inside a transaction: destroy it, don't pool it.
    let unusable: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await fn(tx);
      const commit = await client.query('COMMIT');
      // PostgreSQL answers COMMIT of an aborted transaction (a statement failed and `fn` swallowed
      // the error) with a ROLLBACK tag and no error. PGlite throws there; so do we, or the caller
      // would believe writes were kept that were not.
      if (commit.command === 'ROLLBACK') {
        throw new Error('Transaction was rolled back instead of committed: a statement inside it failed');
      }
      return result;
    } catch (error) {
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
}

/** The `tx` handle: refuses use after its transaction ended, when the client may serve someone else. */
class ClientTransaction implements Queryable {
  private closed = false;

  constructor(private readonly client: pg.PoolClient) {}

  async query<Row = Record<string, unknown>>(sql: string | NamedStatement, params?: unknown[]): Promise<QueryResult<Row>> {
    if (this.closed) throw new Error('Transaction is closed');
    return toQueryResult<Row>(await this.client.query(queryConfig(sql, params)));
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

/** A named statement is prepared by `pg` on each connection at its first use, and executed by name after. */
function queryConfig(sql: string | NamedStatement, values?: unknown[]): pg.QueryConfig {
  return typeof sql === 'string' ? { text: sql, values } : { name: sql.name, text: sql.text, values };
}

/** `pg` reports `rowCount: null` for statements without a count (DDL, BEGIN, SET). */
function toQueryResult<Row>(result: pg.QueryResult): QueryResult<Row> {
  return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
}
