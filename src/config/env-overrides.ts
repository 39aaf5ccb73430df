/**
 * Environment variables that override single config keys (DESIGN.md §3; README, Configuration). A
 * refused value is reported with the variable it came from: the file beside it holds another one,
 * and an operator reading only the key would look there.
 */
interface EnvOverride {
  env: string;
  path: readonly string[];
  value: (raw: string) => unknown;
}

/**
 * A port as digits only (blanks around them allowed, as env files leave them). Anything else stays a
 * string for the schema to refuse: `Number(' ')` is 0, which listens on any free port, and
 * `Number('0x50')` or `Number('8e3')` is a port nobody wrote.
 */
const port = (raw: string): unknown => (/^\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw);
const text = (raw: string): unknown => raw;

const ENV_OVERRIDES: readonly EnvOverride[] = [
  { env: 'PORT', path: ['port'], value: port },
  { env: 'MANAGEMENT_PORT', path: ['managementPort'], value: port },
  { env: 'PUBLIC_URL', path: ['publicUrl'], value: text },
  { env: 'DATABASE_URL', path: ['database', 'url'], value: text },
  { env: 'DATABASE_DIR', path: ['database', 'dataDir'], value: text },
  { env: 'FHIR_BASE_URL', path: ['fhir', 'baseUrl'], value: text },
  { env: 'LOG_LEVEL', path: ['logLevel'], value: text },
];

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The overrides applied to a config, to name their variables in its problems. */
export interface AppliedOverrides {
  /** `problem` (`key: reason`) for a key at `path`, with the variable that set it, if one did. */
  blame(path: readonly PropertyKey[], problem: string): string;
}

/** Sets each key whose variable is set and not empty on `raw` (a parsed file, substituted), in place. */
export function applyEnvOverrides(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): AppliedOverrides {
  const applied = ENV_OVERRIDES.filter(({ env: name }) => env[name] !== undefined && env[name] !== '');
  for (const { env: name, path, value } of applied) {
    let parent: Record<string, unknown> | undefined = raw;
    for (const key of path.slice(0, -1)) {
      const child: unknown = parent[key] ?? {};
      // A section the file wrote as something other than a mapping stays as it is, for the schema to refuse.
      parent = isMapping(child) ? (parent[key] = { ...child }) : undefined;
      if (parent === undefined) break;
    }
    if (parent !== undefined) parent[path[path.length - 1]!] = value(env[name]!);
  }
  return {
    blame(path, problem) {
      const source = applied.find((o) => o.path.every((key, i) => path[i] === key));
      return source === undefined ? problem : `${problem} (from environment variable ${source.env})`;
    },
  };
}
