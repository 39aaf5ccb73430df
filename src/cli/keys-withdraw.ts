import { commandLineAction } from '../admin/admin-action.js';
import type { Clock } from '../common/clock.js';
import { configFileFromEnv, loadConfigFile } from '../config/config.loader.js';
import type { Config } from '../config/config.schema.js';
import { withdrawalDetails, type KeyWithdrawal } from '../keys/key-changes.js';
import { PLAUSIBLE_KID } from '../keys/verification-keys.js';
import { RealmRegistry } from '../realms/realm.registry.js';
import type { Database } from '../storage/database.js';
import { openDatabase } from '../storage/database.factory.js';
import { migrate } from '../storage/migrator.js';
import { keyCommandServices } from './key-command.js';
import { argumentsUnlessHelp, withinArity } from './usage.js';

/** A withdrawal that cannot be made (no such key in the realm), in fixed wording; nothing changed. */
export class KeyWithdrawalRefused extends Error {}

/**
 * Withdraws `kid`, a leaked key of `realmName`, as the admin API's withdrawal does
 * (keys-admin.controller.ts): an ADMIN_ACTION in the withdrawal's transaction, through the service's
 * AuditTrail, so no key changes without its event (docs/ARCHITECTURE.md). A key the realm does not
 * have, another realm's included, is refused and changes nothing; one withdrawn before is reported as it was.
 */
export async function withdrawFromCommandLine(
  services: { config: Config; db: Database; clock?: Clock },
  realmName: string,
  kid: string,
): Promise<KeyWithdrawal> {
  const { realms, withdrawals, audit } = keyCommandServices(services);
  const realm = realms.get(realmName);
  // RFC 7515 §4.1.4 leaves a kid free-form; ours are RFC 7638 thumbprints: anything else is no key of ours.
  if (!PLAUSIBLE_KID.test(kid)) throw new KeyWithdrawalRefused(`realm ${realm.name} has no signing key of that id`);
  const withdrawal = await withdrawals.withdraw(realm, kid, (tx, done) =>
    audit.record(commandLineAction(realm.name, 'ACTION', `keys/${kid}/withdraw`, withdrawalDetails(done)), tx),
  );
  if (!withdrawal) throw new KeyWithdrawalRefused(`realm ${realm.name} has no signing key ${kid}`);
  return withdrawal;
}

/**
 * `npm run keys:withdraw -- REALM KID`, with the service stopped (PGlite's directory lock refuses it
 * while the service runs; on PostgreSQL the admin API's withdrawal reaches the running instances at
 * once): the key leaves the JWKS and verifies nothing from the next start on; where it signed, a new
 * key signs.
 */
async function main(): Promise<void> {
  const usage = 'usage: npm run keys:withdraw -- REALM KID';
  const args = argumentsUnlessHelp(process.argv.slice(2));
  if (!args) return void process.stdout.write(`${usage}\n`);
  const [realmName, kid] = args;
  if (!realmName || !kid || !withinArity(args, 2)) throw new Error(usage);
  const config = loadConfigFile(configFileFromEnv());
  // An unknown realm is refused before the database is opened.
  new RealmRegistry(config).get(realmName);
  const db = await openDatabase(config.database);
  try {
    await migrate(db);
    const done = await withdrawFromCommandLine({ config, db }, realmName, kid);
    const when = done.withdrawnAt.toISOString();
    const what = done.alreadyWithdrawn ? `was withdrawn at ${when}; nothing changed` : `withdrawn at ${when}`;
    const signing = done.signing ? `; ${done.alg} tokens are signed by ${done.signing}` : '';
    process.stdout.write(`realm ${realmName}: ${done.alg} signing key ${kid} ${what}${signing}\n`);
  } finally {
    await db.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    process.stderr.write(`keys:withdraw failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
