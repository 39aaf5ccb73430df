/**
 * The one port every repository talks to. Both adapters (PostgreSQL through `pg`, embedded PGlite)
 * speak the same SQL dialect, so one set of migrations and one set of repositories serve both.
 */
export interface QueryResult<Row> {
  rows: Row[];
  /** Rows inserted, updated or deleted by the statement (0 for a SELECT on PGlite). */
  rowCount: number;
}

/** Something that runs parameterised SQL: the database itself, or one open transaction. */
export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<Row>>;
}

export interface Database extends Queryable {
  readonly engine: 'postgres' | 'pglite';
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws.
   * Inside `fn` use only `tx`; PGlite has one connection, so the outer handle would wait forever.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Nest injection token for the {@link Database}. */
export const DATABASE = Symbol('DATABASE');

/** Readiness: whether the database answers a trivial query. */
export function databaseAnswers(db: Queryable): Promise<boolean> {
  return db.query('SELECT 1').then(
    () => true,
    () => false,
  );
}
