// tsc does not copy non-TypeScript files (DESIGN.md §5): the SQL migrations travel to dist here,
// and so does the SAML worker, which piscina loads as plain JavaScript from beside its caller, and
// so do the login pages' HTML templates and message catalogue, which they read from beside them.
import { cpSync } from 'node:fs';
cpSync('src/storage/migrations', 'dist/src/storage/migrations', { recursive: true });
cpSync('src/saml/worker', 'dist/src/saml/worker', { recursive: true, filter: (path) => !path.endsWith('.d.mts') });
cpSync('src/login/pages/templates', 'dist/src/login/pages/templates', { recursive: true });
cpSync('src/login/pages/messages', 'dist/src/login/pages/messages', { recursive: true });
