import { ConfigError } from '../config/config.error.js';
import { configFileFromEnv, loadConfigFile } from '../config/config.loader.js';
import { realmFromConfig } from '../realms/realm.js';
import { loadRealmSettings } from '../saml/saml-settings.js';

/** `npm run config:check -- FILE`: validates a config file without starting; exit 1 when invalid. */
export function checkConfig(file: string, env: NodeJS.ProcessEnv = process.env): { exitCode: number; output: string } {
  try {
    const config = loadConfigFile(file, env);
    // Each realm's SAML keys and certificates too, as the service reads them when it starts: every
    // realm's, so a file with two broken realms is not fixed one run at a time.
    const problems = config.realms.flatMap((realm) => {
      try {
        loadRealmSettings(realmFromConfig(config.publicUrl, realm));
        return [];
      } catch (error) {
        if (error instanceof ConfigError) return error.problems;
        throw error;
      }
    });
    if (problems.length > 0) throw new ConfigError(file, problems);
    const realms = config.realms.map((r) => `${r.name} (${r.clients.length} clients)`).join(', ');
    return { exitCode: 0, output: `${file}: valid — environment ${config.environment}, realms ${realms}` };
  } catch (error) {
    if (error instanceof ConfigError) return { exitCode: 1, output: error.in(file).message };
    throw error;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { exitCode, output } = checkConfig(process.argv[2] ?? configFileFromEnv());
  (exitCode === 0 ? process.stdout : process.stderr).write(`${output}\n`);
  process.exit(exitCode);
}
