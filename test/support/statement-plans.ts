import type { Database, NamedStatement } from '../../src/storage/database.js';

/** A statement and what to run it with, as SQL's PREPARE and EXECUTE take them. */
export interface PlanQuestion {
  statement: NamedStatement;
  /** The parameters' types, e.g. `text[], timestamptz[]`. */
  types: string;
  /** The arguments as SQL literals, e.g. `ARRAY['s-1'], ARRAY[now()]`. */
  args: string;
}

export interface PlanAnswer {
  /** EXPLAIN of the next execution, one line per plan node. */
  plan: string;
  /** How many generic plans PostgreSQL made (pg_prepared_statements), of `executions` runs. */
  genericPlans: number;
}

/**
 * How PostgreSQL plans `statement` (issue 14): a copy PREPAREd in one transaction, so on one
 * connection, run `executions` times under `mode`, then EXPLAINed. PREPARE outlives a rollback and a
 * pooled connection would keep it, so whatever fails, the transaction goes back to a savepoint (an
 * aborted one refuses everything) and the copy is deallocated.
 */
export function planOf(
  db: Database,
  question: PlanQuestion,
  options: { mode?: 'auto' | 'force_custom_plan' | 'force_generic_plan'; executions?: number } = {},
): Promise<PlanAnswer> {
  return db.transaction(async (tx) => {
    await tx.query(`SET LOCAL plan_cache_mode = ${options.mode ?? 'auto'}`);
    await tx.query('SAVEPOINT plan_check');
    await tx.query(`PREPARE plan_check(${question.types}) AS ${question.statement.text}`);
    try {
      for (let run = 0; run < (options.executions ?? 0); run++) await tx.query(`EXECUTE plan_check(${question.args})`);
      const made = await tx.query<{ generic_plans: number | string }>(
        "SELECT generic_plans FROM pg_prepared_statements WHERE name = 'plan_check'",
      );
      const explained = await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE plan_check(${question.args})`);
      return { plan: explained.rows.map((row) => row['QUERY PLAN']).join('\n'), genericPlans: Number(made.rows[0]!.generic_plans) };
    } finally {
      await tx.query('ROLLBACK TO SAVEPOINT plan_check');
      await tx.query('DEALLOCATE plan_check');
    }
  });
}
