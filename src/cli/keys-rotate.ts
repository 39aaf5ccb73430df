import { commandLineAction } from '../admin/admin-action.js';
import type { Clock } from '../common/clock.js';
import { configFileFromEnv, loadConfigFile } from '../config/config.loader.js';
import type { Config } from '../config/config.schema.js';
import { rotationAlgorithm, rotationDetails, type KeyRotation } from '../keys/key-changes.js';
import { RealmRegistry } from '../realms/realm.registry.js';
import type { Database } from '../storage/database.js';
import { openDatabase } from '../storage/database.factory.js';
import { migrate } from '../storage/migrator.js';
import { keyCommandServices } from './key-command.js';
import { argumentsUnlessHelp, withinArity } from './usage.js';

/**
 * Makes a new generated key `realmName`'s active one, of `asked` or the realm's `signingAlg`, and
 * records it as the admin API's rotation does (keys-admin.controller.ts): an ADMIN_ACTION in the
 * rotation's transaction, through the service's AuditTrail, so no key changes without its event
 * (docs/ARCHITECTURE.md). Returns the new key id and when it starts signing.
 */
export async function rotateFromCommandLine(
  services: { config: Config; db: Database; clock?: Clock },
  realmName: string,
  asked?: string,
): Promise<KeyRotation> {
  const { realms, keys, audit } = keyCommandServices(services);
  const realm = realms.get(realmName);
  const algorithm = rotationAlgorithm(realm, asked);
  return keys.rotate(realm, algorithm, (tx, rotation) =>
    audit.record(commandLineAction(realm.name, 'ACTION', 'keys/rotate', rotationDetails(rotation, algorithm)), tx),
  );
}

/**
 * `npm run keys:rotate -- REALM [ALGORITHM]`: makes a new signing key the realm's active one, of its
 * `signingAlg` or of ALGORITHM, one it signs a client's ID tokens with. The new key is published at
 * once and signs from KEY_PREPUBLICATION_MS later on every instance; the old key stays in the JWKS
 * until every token it signed has expired.
 */
async function main(): Promise<void> {
  const usage = 'usage: npm run keys:rotate -- REALM [ALGORITHM]';
  const args = argumentsUnlessHelp(process.argv.slice(2));
  if (!args) return void process.stdout.write(`${usage}\n`);
  const [realmName, asked] = args;
  if (!realmName || !withinArity(args, 2)) throw new Error(usage);
  const config = loadConfigFile(configFileFromEnv());
  // Refused (an unknown realm, an algorithm it does not sign with) before the database is opened.
  const algorithm = rotationAlgorithm(new RealmRegistry(config).get(realmName), asked);
  const db = await openDatabase(config.database);
  try {
    await migrate(db);
    const { kid, signsFrom } = await rotateFromCommandLine({ config, db }, realmName, algorithm);
    process.stdout.write(
      `realm ${realmName}: new ${algorithm} signing key ${kid}, published now, signing from ${signsFrom.toISOString()}\n`,
    );
  } finally {
    await db.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    process.stderr.write(`keys:rotate failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
