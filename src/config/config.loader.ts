import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from './config.error.js';
import { configSchema, type Config } from './config.schema.js';
import { formatPath, substituteEnv } from './env-substitution.js';

export const DEFAULT_CONFIG_FILE = 'fixtures/config/demo.yaml';

/** Environment variables that override single config keys (DESIGN.md §3). */
const ENV_OVERRIDES: { env: string; apply: (raw: Record<string, any>, value: string) => void }[] = [
  { env: 'PORT', apply: (raw, v) => (raw.port = Number(v)) },
  { env: 'MANAGEMENT_PORT', apply: (raw, v) => (raw.managementPort = Number(v)) },
  { env: 'PUBLIC_URL', apply: (raw, v) => (raw.publicUrl = v) },
  { env: 'DATABASE_URL', apply: (raw, v) => (raw.database = { ...raw.database, url: v }) },
  { env: 'DATABASE_DIR', apply: (raw, v) => (raw.database = { ...raw.database, dataDir: v }) },
  { env: 'FHIR_BASE_URL', apply: (raw, v) => (raw.fhir = { ...raw.fhir, baseUrl: v }) },
  { env: 'LOG_LEVEL', apply: (raw, v) => (raw.logLevel = v) },
];

/** Reads, substitutes and validates a config file; throws one {@link ConfigError} listing every problem. */
export function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [`cannot read the file: ${(error as Error).message}`]);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new ConfigError(file, [`not valid YAML: ${(error as Error).message}`]);
  }
  return parseConfig(parsed, file, env);
}

/** Validates an already parsed config object (tests build these in code). */
export function parseConfig(raw: unknown, source: string, env: NodeJS.ProcessEnv = process.env): Config {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(source, ['(root): must be a mapping of keys to values']);
  }
  const problems: string[] = [];
  const substituted = substituteEnv(raw, env, problems) as Record<string, any>;
  for (const { env: name, apply } of ENV_OVERRIDES) {
    const value = env[name];
    if (value !== undefined && value !== '') apply(substituted, value);
  }
  const result = configSchema.safeParse(substituted);
  if (!result.success) {
    problems.push(...result.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`));
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(source, problems);
  return result.data;
}

/** The file named by `FEDERATION_CONFIG`, else the demo config. */
export function configFileFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env.FEDERATION_CONFIG || DEFAULT_CONFIG_FILE;
}
