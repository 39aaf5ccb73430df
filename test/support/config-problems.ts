import { ConfigError } from '../../src/config/config.error.js';
import { parseConfig } from '../../src/config/config.loader.js';

/** The problems a config object is refused with (each `key: reason`), or none. */
export function configProblems(raw: unknown, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(raw, 'test', env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}
