import type { Database } from '../../src/storage/database.js';

/** Counts the statements `db` runs until restored: how a spec sees that calls made together share one. */
export function countStatements(db: Database): { count: number; restore: () => void } {
  const query = db.query.bind(db);
  const counter = {
    count: 0,
    restore: () => {
      db.query = query;
    },
  };
  db.query = ((...args: Parameters<Database['query']>) => {
    counter.count++;
    return query(...args);
  }) as Database['query'];
  return counter;
}
