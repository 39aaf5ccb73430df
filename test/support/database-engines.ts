import { randomBytes } from 'node:crypto';
import type { Database } from '../../src/storage/database.js';
import { PostgresDatabase } from '../../src/storage/pg.database.js';
import { PgliteDatabase } from '../../src/storage/pglite.database.js';

/**
 * The database engines tests run on: PGlite always, PostgreSQL when `TEST_DATABASE_URL` names a
 * server whose user may create databases. Each PostgreSQL scratch database is created for one test
 * and dropped after it, so repeated runs and parallel jest workers never share state.
 */
export interface Engine {
  name: 'pglite' | 'postgres';
  createScratch(): Promise<Scratch>;
}

/** An empty database of its own; `connect()` twice gives two independent handles where the engine can. */
export interface Scratch {
  /** The connection URL, for a database other processes can reach (PostgreSQL). */
  url?: string;
  connect(): Promise<Database>;
  dispose(): Promise<void>;
}

export const pgliteEngine: Engine = {
  name: 'pglite',
  async createScratch() {
    const db = await PgliteDatabase.open('memory://');
    // PGlite is one connection in one process: a second handle to the same database is the same handle.
    return { connect: async () => db, dispose: () => db.close() };
  },
};

export function postgresEngine(adminUrl: string): Engine {
  const withAdmin = async (sql: string): Promise<void> => {
    const admin = new PostgresDatabase(adminUrl, { maxConnections: 1 });
    try {
      await admin.query(sql);
    } finally {
      await admin.close();
    }
  };
  /**
   * `pool.end()` resolves before the server has seen every connection go; DROP waits 5 s for such
   * backends, and a slow machine gets a few retries. No FORCE: it would kill them under clients
   * still listening (an 'error' event), and it would hide a connection that a test leaked.
   */
  const dropWhenDisconnected = async (name: string): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await withAdmin(`DROP DATABASE IF EXISTS "${name}"`);
      } catch (error) {
        const inUse = (error as { code?: string }).code === '55006';
        if (!inUse || attempt === 50) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };
  return {
    name: 'postgres',
    async createScratch() {
      const name = `test_${process.pid}_${randomBytes(4).toString('hex')}`;
      await withAdmin(`CREATE DATABASE "${name}"`);
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      const handles: Database[] = [];
      return {
        url: url.href,
        async connect() {
          const db = new PostgresDatabase(url.href);
          handles.push(db);
          return db;
        },
        async dispose() {
          await Promise.all(handles.map((db) => db.close()));
          await dropWhenDisconnected(name);
        },
      };
    },
  };
}

export const testDatabaseUrl = process.env.TEST_DATABASE_URL;
/** PostgreSQL alone, when `TEST_DATABASE_URL` is set: for what PGlite, one connection in the process, cannot show (timeouts, lost connections). */
export const postgresEngines: Engine[] = testDatabaseUrl ? [postgresEngine(testDatabaseUrl)] : [];
export const engines: Engine[] = [pgliteEngine, ...postgresEngines];
