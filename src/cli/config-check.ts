import { ConfigError } from '../config/config.error.js';
import { configFileFromEnv, loadConfigFile } from '../config/config.loader.js';
import { productionWarnings } from '../config/production-warnings.js';
import { realmFromConfig } from '../realms/realm.js';
import { certificateWarning } from '../saml/certificate-expiry.js';
import { loadRealmSettings, type IdpStaticSettings } from '../saml/saml-settings.js';
import { argumentsUnlessHelp, withinArity } from './usage.js';

/** `npm run config:check -- FILE`: validates a config file without starting; exit 1 when invalid, warnings (exit 0) for what will fail later. */
export function checkConfig(file: string, env: NodeJS.ProcessEnv = process.env, now = new Date()): { exitCode: number; output: string } {
  try {
    const config = loadConfigFile(file, env);
    // Each realm's SAML keys and certificates too, as the service reads them when it starts: every
    // realm's, so a file with two broken realms is not fixed one run at a time.
    const problems: string[] = [];
    const warnings = productionWarnings(config).map(({ key, reason }) => `${key}: ${reason}`);
    for (const realm of config.realms) {
      try {
        warnings.push(...certificateWarnings(loadRealmSettings(realmFromConfig(config.publicUrl, realm)), now));
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        problems.push(...error.problems);
      }
    }
    if (problems.length > 0) throw new ConfigError(file, problems);
    const realms = config.realms.map((r) => `${r.name} (${r.clients.length} clients)`).join(', ');
    const valid = `${file}: valid — environment ${config.environment}, realms ${realms}`;
    return { exitCode: 0, output: [valid, ...warnings.map((warning) => `  warning: ${warning}`)].join('\n') };
  } catch (error) {
    if (error instanceof ConfigError) return { exitCode: 1, output: error.in(file).message };
    throw error;
  }
}

/**
 * The IdP signing certificates written in the config that are expired or near it: the file is valid
 * (the service starts, and refuses only that IdP's logins), but the operator should hear of it now.
 * Certificates from metadata are not fetched here; the service says the same of them at start.
 */
function certificateWarnings(idps: IdpStaticSettings[], now: Date): string[] {
  return idps.flatMap(({ where, configured }) => {
    const warning = certificateWarning(configured.signingCertificates ?? [], now);
    return warning === undefined ? [] : [`${where}.signingCertificates: ${warning}`];
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const usage = 'usage: npm run config:check -- [FILE] (default: $FEDERATION_CONFIG, else fixtures/config/demo.yaml)\n';
  const args = argumentsUnlessHelp(process.argv.slice(2));
  if (!args) {
    process.stdout.write(usage);
    process.exit(0);
  }
  if (!withinArity(args, 1)) {
    process.stderr.write(usage);
    process.exit(1);
  }
  const { exitCode, output } = checkConfig(args[0] ?? configFileFromEnv());
  (exitCode === 0 ? process.stdout : process.stderr).write(`${output}\n`);
  process.exit(exitCode);
}
