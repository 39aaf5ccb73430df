// tsc does not copy non-TypeScript files (DESIGN.md §5): the SQL migrations travel to dist here.
import { cpSync } from 'node:fs';
cpSync('src/storage/migrations', 'dist/src/storage/migrations', { recursive: true });
