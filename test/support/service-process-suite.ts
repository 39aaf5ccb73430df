import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildService } from './built-service.js';

/**
 * For a spec file of process tests, called outside its describes: dist/ built before its specs
 * (buildService), and a directory of its own for data and config files, removed after them.
 */
export function builtServiceSuite(): { dataDir: string } {
  const suite = { dataDir: '' };
  beforeAll(() => buildService(), 300_000);
  beforeAll(() => {
    suite.dataDir = mkdtempSync(join(tmpdir(), 'process-pglite-'));
  });
  afterAll(() => rmSync(suite.dataDir, { recursive: true, force: true }));
  return suite;
}
