import type { Database } from './database.js';
import { PostgresDatabase } from './pg.database.js';
import { PgliteDatabase } from './pglite.database.js';

export interface DatabaseSettings {
  /** `""` → embedded PGlite at `dataDir`; `postgres://…` or `postgresql://…` → PostgreSQL. */
  url: string;
  /** PGlite's data directory (or `memory://`); used only when `url` is empty. */
  dataDir: string;
  /** PostgreSQL only (pg.database.ts): the wait for a connection, and the longest a statement may run. */
  connectTimeoutSeconds?: number;
  statementTimeoutSeconds?: number;
}

const POSTGRES_SCHEMES = ['postgres:', 'postgresql:'];

/** Picks the engine from the configured URL; fails fast with the config path and the reason. */
export async function openDatabase({ url, dataDir, connectTimeoutSeconds, statementTimeoutSeconds }: DatabaseSettings): Promise<Database> {
  if (url === '') {
    if (dataDir === '') throw new Error('database.dataDir: required when database.url is empty (embedded PGlite)');
    return PgliteDatabase.open(dataDir);
  }
  const scheme = schemeOf(url);
  if (scheme !== undefined && POSTGRES_SCHEMES.includes(scheme))
    return new PostgresDatabase(url, { connectTimeoutSeconds, statementTimeoutSeconds });
  // Never echo the URL itself: it may carry a password.
  throw new Error(
    `database.url: unsupported scheme ${scheme === undefined ? '(not a URL)' : `"${scheme}//"`}; ` +
      'expected "" for embedded PGlite, or postgres:// / postgresql://',
  );
}

function schemeOf(url: string): string | undefined {
  try {
    return new URL(url).protocol;
  } catch {
    return undefined;
  }
}
