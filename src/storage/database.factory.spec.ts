import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from './database.factory.js';

describe('openDatabase', () => {
  it('rejects an unknown URL scheme, naming database.url', async () => {
    await expect(openDatabase({ url: 'mysql://user:secret@db/app', dataDir: 'unused' })).rejects.toThrow(
      /^database\.url: unsupported scheme "mysql:\/\/"/,
    );
  });

  it('rejects a URL it cannot parse, naming database.url', async () => {
    await expect(openDatabase({ url: 'not a url', dataDir: 'unused' })).rejects.toThrow(/^database\.url: unsupported scheme \(not a URL\)/);
  });

  it('picks PostgreSQL for postgres:// and postgresql:// without connecting yet', async () => {
    for (const url of ['postgres://u@127.0.0.1:1/db', 'postgresql://u@127.0.0.1:1/db']) {
      const db = await openDatabase({ url, dataDir: 'unused' });
      expect(db.engine).toBe('postgres');
      await db.close();
    }
  });

  it('picks PGlite at dataDir when the URL is empty, creating the directory and keeping data', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pglite-'));
    const dataDir = join(root, 'nested', 'data');
    try {
      const first = await openDatabase({ url: '', dataDir });
      expect(first.engine).toBe('pglite');
      await first.query('CREATE TABLE kept (v text)');
      await first.query(`INSERT INTO kept VALUES ('still here')`);
      await first.close();

      const reopened = await openDatabase({ url: '', dataDir });
      expect((await reopened.query('SELECT v FROM kept')).rows).toEqual([{ v: 'still here' }]);
      await reopened.close();
    } finally {
      await rm(root, { recursive: true });
    }
  });
});
