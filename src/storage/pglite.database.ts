import { mkdir } from 'node:fs/promises';
import { ConfigError } from '../config/config.error.js';
import { PGlite, types, type Results, type Transaction } from '@electric-sql/pglite';
import { DataDirectoryLock } from './data-directory-lock.js';
import { freshClusterDump } from './pglite-fresh-cluster.js';
import { holdsCluster, initialiseInChildProcess } from './pglite-initdb.js';
import { PgliteStatements, runsPrepared } from './pglite-statements.js';
import { statementText, type Database, type NamedStatement, type Queryable, type QueryResult } from './database.js';

/** PGlite's own scheme for a database that lives only in this process (tests, throwaway runs). */
const IN_MEMORY_PREFIX = 'memory://';

/**
 * PostgreSQL's shared memory lives inside PGlite's WASM memory, which never shrinks, so it is sized
 * for what PGlite is: one backend (single-user mode) over a small database (issue 14).
 * - The buffer pool: initdb's 128 MB filled up under load and stayed resident. On an existing data
 *   directory, 80,000 rows written and read: 340–360 MB resident at 128 MB, 234–237 MB at 16 MB. A
 *   page not in the pool is a read from the data directory, through the operating system's own cache.
 * - `max_connections` sizes the per-backend structures (lock table, process slots) for 100 backends
 *   by default; PGlite only ever runs one.
 * With 8 MB and one connection, the WASM memory resident after the benchmark's rounds went from 33 to
 * 21 MB, and the embedded service's peak 311 → 290 MB in six alternating rounds, at 1.09×, 1.01× and
 * 1.01× the rates of client_credentials, refresh and exchange (noise).
 */
const SIZING = ['-c', 'shared_buffers=8MB', '-c', 'max_connections=1'];

/**
 * {@link Database} over embedded PGlite (WASM PostgreSQL, one connection, no server): the default
 * when no `database.url` is configured.
 */
export class PgliteDatabase implements Database {
  readonly engine = 'pglite' as const;
  private readonly statements: PgliteStatements;

  private constructor(
    private readonly db: PGlite,
    private readonly lock: DataDirectoryLock | undefined,
  ) {
    this.statements = new PgliteStatements(db);
  }

  /**
   * `dataDir`: a filesystem directory (created if missing), or `memory://` for an in-memory database.
   * A directory is locked for this process until {@link close}: a second process is refused.
   */
  static async open(dataDir: string): Promise<PgliteDatabase> {
    let lock: DataDirectoryLock | undefined;
    const inMemory = dataDir.startsWith(IN_MEMORY_PREFIX);
    if (!inMemory) {
      // The operator's to fix (a file in the way, no permission): said naming the key, without a stack.
      await mkdir(dataDir, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
        throw ConfigError.problem(`database.dataDir (DATABASE_DIR): cannot create the directory ${dataDir} (${error.code ?? 'error'})`);
      });
      lock = DataDirectoryLock.acquire(dataDir);
    }
    const startParams = [...PGlite.defaultStartParams, ...SIZING];
    try {
      if (!inMemory && !holdsCluster(dataDir)) await initialiseInChildProcess(dataDir, startParams);
      const db = await PGlite.create(dataDir, {
        // `pg` returns int8 (bigint, count(*)) as a string because it may exceed 2^53; PGlite returns a
        // number, or a BigInt when it is large. Strings on both engines keep repositories portable.
        parsers: { [types.INT8]: (value: string) => value },
        startParams,
        // A new in-memory cluster starts from a dump of a fresh one instead of running initdb again.
        ...(inMemory ? { loadDataDir: await freshClusterDump() } : {}),
      });
      return new PgliteDatabase(db, lock);
    } catch (error) {
      lock?.release();
      throw error;
    }
  }

  /**
   * Parameterised SQL runs prepared (pglite-statements.ts), under the two locks PGlite's own `query()`
   * takes: no transaction open, no other exchange with the backend. SQL without parameters (the
   * migrations' DDL, readiness) or with very many (large audit batches) goes through `query()` as it is.
   */
  async query<Row = Record<string, unknown>>(sql: string | NamedStatement, params?: unknown[]): Promise<QueryResult<Row>> {
    const text = statementText(sql);
    if (!runsPrepared(params)) return toQueryResult(await this.db.query<Row>(text, params));
    return toQueryResult(
      await this.db._runExclusiveTransaction(() =>
        this.db._runExclusiveQuery(async () => {
          // As query() does, and once the locks are ours: a PGlite closed meanwhile refuses.
          await this.db._checkReady();
          return this.statements.run<Row>(text, params, true);
        }),
      ),
    );
  }

  /** PGlite serialises transactions itself; it rolls back when `fn` throws and rethrows. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) => {
      const handle = new PgliteTransaction(tx, this.db, this.statements);
      try {
        return await fn(handle);
      } finally {
        handle.closed = true;
      }
    });
  }

  async close(): Promise<void> {
    try {
      await this.db.close();
    } finally {
      this.lock?.release();
    }
  }
}

class PgliteTransaction implements Queryable {
  /** Set when the transaction is over: a late query must not run outside it, unlocked. */
  closed = false;

  constructor(
    private readonly tx: Transaction,
    private readonly db: PGlite,
    private readonly statements: PgliteStatements,
  ) {}

  /** Inside the transaction PGlite holds its transaction lock for us; only the exchange is taken. */
  async query<Row = Record<string, unknown>>(sql: string | NamedStatement, params?: unknown[]): Promise<QueryResult<Row>> {
    const text = statementText(sql);
    if (!runsPrepared(params)) return toQueryResult(await this.tx.query<Row>(text, params));
    if (this.closed) throw new Error('Transaction is closed');
    return toQueryResult(await this.db._runExclusiveQuery(() => this.statements.run<Row>(text, params, false)));
  }
}

/**
 * `affectedRows` counts rows inserted, updated or deleted, and is 0 for a SELECT (PGlite's own
 * `rowCount` would count the rows a SELECT returned, like `pg` does; the port promises the former).
 */
function toQueryResult<Row>(result: Results<Row>): QueryResult<Row> {
  return { rows: result.rows, rowCount: result.affectedRows ?? 0 };
}
