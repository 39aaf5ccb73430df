import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import pg from 'pg';
import { postgresEngines, type Scratch } from '../../test/support/database-engines.js';
import { startFreezableProxy, type FreezableProxy } from '../../test/support/freezable-proxy.js';
import { holding, waitingForLocks } from '../../test/support/lock-races.js';
import { DatabaseUnavailableError, type Database, type Queryable } from './database.js';
import { migrate } from './migrator.js';
import { PostgresDatabase } from './pg.database.js';

/** PostgreSQL alone: PGlite runs in the process, with one connection and nothing to time out. */
for (const engine of postgresEngines) {
  describe('PostgreSQL statements and connections bounded in time', () => {
    let scratch: Scratch;
    let setup: Database;
    let opened: Database[] = [];
    const open = (url: string) => {
      const db = new PostgresDatabase(url, { connectTimeoutSeconds: 1, statementTimeoutSeconds: 1 });
      opened.push(db);
      return db;
    };
    // Before a test's proxy closes: its pooled connections would otherwise fail idle, with a warning.
    const closeOpened = async () => {
      await Promise.all(opened.map((db) => db.close()));
      opened = [];
    };
    const failure = (promise: Promise<unknown>) =>
      promise.then(
        () => undefined,
        (error: unknown) => error,
      );

    beforeAll(async () => {
      scratch = await engine.createScratch();
      setup = await scratch.connect();
      await setup.query('CREATE TABLE counters (id int PRIMARY KEY, value int NOT NULL)');
      await setup.query('INSERT INTO counters VALUES (1, 0)');
    });
    afterEach(closeOpened);
    afterAll(() => scratch.dispose());

    it('cancels a statement that waits for a lock past statementTimeoutSeconds: unavailable, nothing changed, the pool goes on', async () => {
      const db = open(scratch.url!);
      const holder = await holding(setup, (tx) => tx.query('SELECT 1 FROM counters WHERE id = 1 FOR UPDATE'));
      const update = failure(db.query('UPDATE counters SET value = value + 1 WHERE id = 1'));
      await waitingForLocks(setup, 1);
      const error = await update;
      await holder.release();
      expect(error).toBeInstanceOf(DatabaseUnavailableError);
      expect(error).toMatchObject({ code: '57014', connectionUsable: true });
      expect((await setup.query<{ value: number }>('SELECT value FROM counters WHERE id = 1')).rows[0]!.value).toBe(0);
      expect((await db.query('UPDATE counters SET value = value + 1 WHERE id = 1')).rowCount).toBe(1);
    });

    it('fails a transaction whose connection the server ends between two statements, instead of ending the process', async () => {
      const db = open(scratch.url!);
      const error = await failure(
        db.transaction(async (tx) => {
          const { rows } = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
          await tx.query('UPDATE counters SET value = value + 10 WHERE id = 1');
          // As a restart or a failover does: the backend is told to end while the transaction sits between statements.
          await setup.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
          await new Promise((resolve) => setTimeout(resolve, 200));
          await tx.query('UPDATE counters SET value = value + 10 WHERE id = 1');
        }),
      );
      expect(error).toBeInstanceOf(DatabaseUnavailableError);
      expect(error).toMatchObject({ code: '57P01', connectionUsable: false });
      expect((await setup.query<{ value: number }>('SELECT value FROM counters WHERE id = 1')).rows[0]!.value).toBeLessThan(10);
      expect((await db.query('SELECT 1')).rowCount).toBe(1);
    });

    it('says in the service log, with its code, that an idle pooled connection the server ended is replaced', async () => {
      const warned = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => {});
      const emitted = jest.spyOn(process, 'emitWarning');
      try {
        const db = open(scratch.url!);
        const { rows } = await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        await setup.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
        for (let tries = 0; tries < 50 && warned.mock.calls.length === 0; tries++) await new Promise((resolve) => setTimeout(resolve, 20));
        expect(warned.mock.calls).toEqual([
          [
            { code: '57P01', reason: expect.stringContaining('terminating connection') },
            'idle PostgreSQL connection failed; the pool replaces it',
          ],
        ]);
        expect(emitted).not.toHaveBeenCalled();
        expect((await db.query('SELECT 1')).rowCount).toBe(1);
      } finally {
        warned.mockRestore();
        emitted.mockRestore();
      }
    });

    it('passes a statement the database refuses through as it is', async () => {
      const error = await failure(open(scratch.url!).query('INSERT INTO counters VALUES (1, 0)'));
      expect(error).toBeInstanceOf(pg.DatabaseError);
      expect(error).toMatchObject({ code: '23505' });
    });

    describe('behind a connection that stops passing bytes', () => {
      let proxy: FreezableProxy;
      beforeEach(async () => {
        proxy = await startFreezableProxy(scratch.url!);
      });
      afterEach(async () => {
        proxy.thaw();
        await closeOpened();
        await proxy.close();
      });

      it('fails a statement the server never answers as unavailable, and the next one gets a new connection', async () => {
        const db = open(proxy.url);
        await db.query('SELECT 1');
        proxy.freeze();
        const error = await failure(db.query('SELECT 1'));
        expect(error).toBeInstanceOf(DatabaseUnavailableError);
        expect(error).toMatchObject({ code: 'QUERY_TIMEOUT', connectionUsable: false });
        proxy.thaw();
        expect((await db.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      });

      it('fails a transaction on such a connection without a ROLLBACK, and discards the connection', async () => {
        const db = open(proxy.url);
        const sent = jest.spyOn(pg.Client.prototype, 'query');
        const error = await failure(
          db.transaction(async (tx) => {
            await tx.query('UPDATE counters SET value = value + 10 WHERE id = 1');
            proxy.freeze();
            await tx.query('UPDATE counters SET value = value + 10 WHERE id = 1');
          }),
        );
        const statements = sent.mock.calls.map(([config]) => (typeof config === 'string' ? config : (config as { text: string }).text));
        sent.mockRestore();
        expect(error).toMatchObject({ code: 'QUERY_TIMEOUT' });
        expect(proxy.dropped.join('')).toContain('UPDATE counters');
        // A ROLLBACK would wait behind the unanswered statement for a second read timeout.
        expect(statements.filter((text) => text === 'ROLLBACK')).toEqual([]);
        // Pooled again, the connection would hold the next statement behind that one, and time it out too.
        proxy.thaw();
        expect((await db.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      });

      it('gives up on a connection the server never answers after connectTimeoutSeconds', async () => {
        proxy.freeze();
        const error = await failure(open(proxy.url).query('SELECT 1'));
        expect(error).toBeInstanceOf(DatabaseUnavailableError);
        expect(error).toMatchObject({ code: 'CONNECT_TIMEOUT', connectionUsable: false });
      });
    });

    it('runs migrations without the statement timeout, which still bounds every other statement', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'slow-migration-'));
      try {
        // Longer than the read timeout too (statement + connect timeout, 2 s).
        writeFileSync(join(dir, '001_slow.sql'), 'SELECT pg_sleep(2.5);\n');
        const db = open(scratch.url!);
        expect(await migrate(db, pathToFileURL(dir))).toEqual(['001_slow']);
        expect(await failure(db.query('SELECT pg_sleep(1.5)'))).toMatchObject({ code: '57014' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('gives a transaction its own bound for statements and for the pauses between them, where it asks', async () => {
      const db = open(scratch.url!);
      const pausing = (tx: Queryable) =>
        tx
          .query('SELECT 1')
          .then(() => new Promise((resolve) => setTimeout(resolve, 1500)))
          .then(() => tx.query('SELECT pg_sleep(1.5)'));
      await expect(db.transaction(pausing, { statementTimeoutSeconds: 3 })).resolves.toBeDefined();
      // With the database's 1 s: the pause ends the session (idle_in_transaction_session_timeout).
      expect(await failure(db.transaction(pausing))).toBeInstanceOf(DatabaseUnavailableError);
    });
  });
}
