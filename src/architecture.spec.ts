import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

/**
 * The rules of docs/ARCHITECTURE.md, checked on the source itself so a change that breaks one fails
 * here with the file and the import that broke it.
 */

const SRC = 'src';

/**
 * Modules from the bottom up. A module may import only modules of a lower layer; modules of one
 * layer are independent of each other. Files directly under `src/` (app.module, main) and `cli/`
 * sit on top.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['common'],
  ['protocol', 'identity', 'config'],
  ['logging', 'storage', 'realms'],
  ['keys', 'clients', 'tenancy'],
  ['saml', 'fhir'],
  ['tokens', 'health', 'metrics', 'audit'],
  ['sessions', 'management', 'backchannel'],
  ['contexts'],
  ['login'],
  ['oauth', 'admin'],
  ['cli', '(app)'],
];

/** The bottom of the house: shared vocabulary and infrastructure that must never import the flows. */
const BOTTOM = ['protocol', 'identity', 'storage', 'keys', 'clients', 'realms', 'tenancy', 'common', 'config'];
const FLOWS = ['oauth', 'login', 'sessions', 'contexts', 'tokens'];

interface Import {
  file: string;
  from: string;
  to: string;
  specifier: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|mjs)$/.test(entry.name) && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

function moduleOf(file: string): string {
  const parts = relative(SRC, file).split('/');
  return parts.length === 1 ? '(app)' : parts[0]!;
}

const files = sourceFiles(SRC);
const sources = new Map(files.map((file) => [file, readFileSync(file, 'utf8')]));

const imports: Import[] = files.flatMap((file) =>
  [...sources.get(file)!.matchAll(/(?:from\s+|import\s*\(\s*|^import\s+)'(\.{1,2}\/[^']+)'/gm)].map((match) => {
    const target = normalize(join(dirname(file), match[1]!));
    return { file, from: moduleOf(file), to: moduleOf(target), specifier: match[1]! };
  }),
);
const crossModule = imports.filter((i) => i.from !== i.to);

const layerOf = new Map(LAYERS.flatMap((layer, index) => layer.map((module) => [module, index] as const)));

describe('architecture', () => {
  it('knows the layer of every module under src/', () => {
    const unplaced = [...new Set(files.map(moduleOf))].filter((module) => !layerOf.has(module));
    expect(unplaced).toEqual([]);
  });

  it('has no import from a module to one of its own layer or above', () => {
    const upward = crossModule
      .filter((i) => layerOf.get(i.to)! >= layerOf.get(i.from)!)
      .map((i) => `${i.file} imports ${i.specifier} (${i.from} → ${i.to})`);
    expect(upward).toEqual([]);
  });

  it('keeps the bottom of the house free of the flows above it', () => {
    const offending = crossModule
      .filter((i) => BOTTOM.includes(i.from) && FLOWS.includes(i.to))
      .map((i) => `${i.file} imports ${i.specifier}`);
    expect(offending).toEqual([]);
  });

  it('has no import cycle between modules', () => {
    const edges = new Map<string, Set<string>>();
    for (const i of crossModule) edges.set(i.from, (edges.get(i.from) ?? new Set()).add(i.to));
    const cycles: string[] = [];
    const visit = (module: string, path: string[]): void => {
      if (path.includes(module)) {
        cycles.push([...path.slice(path.indexOf(module)), module].join(' → '));
        return;
      }
      for (const next of edges.get(module) ?? []) visit(next, [...path, module]);
    };
    for (const module of edges.keys()) visit(module, []);
    expect(cycles).toEqual([]);
  });

  it('holds SQL only in storage/', () => {
    const sql = /\b(SELECT\s+[\w*(]|INSERT INTO|DELETE FROM|UPDATE\s+\w+\s+SET|CREATE TABLE)\b/;
    const offending = files.filter((file) => moduleOf(file) !== 'storage' && sql.test(sources.get(file)!));
    expect(offending).toEqual([]);
  });

  it('talks FHIR only in fhir/', () => {
    const offending = files.filter(
      (file) => moduleOf(file) !== 'fhir' && /from '(fhir-kit-client|@medplum\/[^']+)'/.test(sources.get(file)!),
    );
    expect(offending).toEqual([]);
  });

  it('lets the login know FHIR only through the IdentityLinker seam of identity/', () => {
    expect(crossModule.filter((i) => i.from === 'login' && i.to === 'fhir')).toEqual([]);
  });

  it('mints tokens only in tokens/', () => {
    const offending = files.filter((file) => moduleOf(file) !== 'tokens' && /\bSignJWT\b|\bTokenSigner\b/.test(sources.get(file)!));
    expect(offending).toEqual([]);
  });

  it('catches what it is meant to catch', () => {
    // A guard against a vacuous pass: the scan must see the imports that do exist.
    expect(crossModule.some((i) => i.from === 'oauth' && i.to === 'realms')).toBe(true);
    expect(crossModule.some((i) => i.from === 'login' && i.to === 'identity')).toBe(true);
    expect(files.some((file) => moduleOf(file) === 'storage' && /DELETE FROM/.test(sources.get(file)!))).toBe(true);
  });
});
