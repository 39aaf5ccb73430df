import { readdir, readFile } from 'node:fs/promises';
import type { Database, Queryable } from './database.js';

/**
 * Key of the advisory lock that serialises migration runs: two instances booting against one
 * PostgreSQL must not both apply a migration. Above the int4 range, so it never equals a key taken
 * as `pg_advisory_xact_lock(hashtext(…))` elsewhere.
 */
const MIGRATION_LOCK_KEY = 4_712_020_001;

/** `NNN_name.sql`: the number orders the files, the whole stem is the recorded version. */
const MIGRATION_FILE = /^(\d+)_[A-Za-z0-9_-]+\.sql$/;

interface Migration {
  version: string;
  order: number;
  file: URL;
}

/**
 * Applies, in numeric order, every migration in `dir` not yet recorded in `schema_migrations`, all in
 * one transaction, and returns the versions it applied. `dir` defaults to the `migrations/` folder
 * next to this module: `src/` under jest, `dist/` after the build copies the `.sql` files.
 */
export async function migrate(db: Database, dir: URL = new URL('./migrations/', import.meta.url)): Promise<string[]> {
  const migrations = await listMigrations(asDirectory(dir));
  const apply = async (tx: Queryable): Promise<string[]> => {
    // Taken before anything else, so a second runner waits here until the first commits, and then
    // sees its schema_migrations rows. Released automatically at COMMIT/ROLLBACK.
    await tx.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    await tx.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = await appliedVersions(tx);
    const applied: string[] = [];
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      for (const statement of splitStatements(await readFile(migration.file, 'utf8'))) {
        await tx.query(statement);
      }
      await tx.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, now())', [migration.version]);
      applied.push(migration.version);
    }
    return applied;
  };
  // No statement timeout: building an index over a large table, or waiting for another instance's
  // migration, may take longer than any request's statement may (database.statementTimeoutSeconds).
  return db.transaction(apply, { statementTimeoutSeconds: 0 });
}

/** `new URL(name, dir)` would replace the last segment of a directory URL without a trailing slash. */
function asDirectory(dir: URL): URL {
  return dir.pathname.endsWith('/') ? dir : new URL(`${dir.href}/`);
}

async function listMigrations(dir: URL): Promise<Migration[]> {
  const migrations = (await readdir(dir))
    .filter((name) => name.endsWith('.sql'))
    .map((name): Migration => {
      const match = MIGRATION_FILE.exec(name);
      if (!match) throw new Error(`migration ${name}: file name must look like NNN_name.sql`);
      return { version: name.slice(0, -'.sql'.length), order: Number(match[1]), file: new URL(name, dir) };
    })
    .sort((a, b) => a.order - b.order);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i].order === migrations[i - 1].order) {
      throw new Error(`migrations ${migrations[i - 1].version} and ${migrations[i].version} share one number`);
    }
  }
  return migrations;
}

async function appliedVersions(tx: Queryable): Promise<Set<string>> {
  const { rows } = await tx.query<{ version: string }>('SELECT version FROM schema_migrations');
  return new Set(rows.map((row) => row.version));
}

/**
 * PGlite's extended protocol runs one statement per query, so a file is split here: `--` comment
 * lines are dropped and a statement ends at a `;` that ends its line. Hence, in migrations, put
 * comments on their own lines and keep a `;` inside a statement (a function body, a string) off
 * the end of its line.
 */
function splitStatements(sql: string): string[] {
  const withoutComments = sql
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n');
  return withoutComments
    .split(/;[ \t\r]*$/m)
    .map((statement) => statement.trim())
    .filter((statement) => statement !== '');
}
