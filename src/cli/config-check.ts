import { ConfigError } from '../config/config.error.js';
import { configFileFromEnv, loadConfigFile } from '../config/config.loader.js';

/** `npm run config:check -- FILE`: validates a config file without starting; exit 1 when invalid. */
export function checkConfig(file: string, env: NodeJS.ProcessEnv = process.env): { exitCode: number; output: string } {
  try {
    const config = loadConfigFile(file, env);
    const realms = config.realms.map((r) => `${r.name} (${r.clients.length} clients)`).join(', ');
    return { exitCode: 0, output: `${file}: valid — environment ${config.environment}, realms ${realms}` };
  } catch (error) {
    if (error instanceof ConfigError) return { exitCode: 1, output: error.message };
    throw error;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { exitCode, output } = checkConfig(process.argv[2] ?? configFileFromEnv());
  (exitCode === 0 ? process.stdout : process.stderr).write(`${output}\n`);
  process.exit(exitCode);
}
