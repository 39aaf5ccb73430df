import { systemClock } from '../common/clock.js';
import { configFileFromEnv, loadConfigFile } from '../config/config.loader.js';
import { KeyEncryption } from '../keys/key-encryption.js';
import { rotationAlgorithm, SigningKeyService } from '../keys/signing-key.service.js';
import { RealmRegistry } from '../realms/realm.registry.js';
import { openDatabase } from '../storage/database.factory.js';
import { migrate } from '../storage/migrator.js';
import { SigningKeyRepository } from '../storage/signing-key.repository.js';

/**
 * `npm run keys:rotate -- REALM [ALGORITHM]`: makes a new signing key the realm's active one, of its
 * `signingAlg` or of ALGORITHM, one it signs a client's ID tokens with. The old key stays in the JWKS
 * until every token it signed has expired; running instances pick the new key up within a minute
 * (ACTIVE_KEY_CACHE_MS).
 */
async function main(): Promise<void> {
  const [realmName, asked] = process.argv.slice(2);
  if (!realmName) throw new Error('usage: npm run keys:rotate -- REALM [ALGORITHM]');
  const config = loadConfigFile(configFileFromEnv());
  const realm = new RealmRegistry(config).get(realmName);
  const algorithm = rotationAlgorithm(realm, asked);
  const db = await openDatabase(config.database);
  try {
    await migrate(db);
    const keys = new SigningKeyService(new SigningKeyRepository(db), new KeyEncryption(config.keys.encryptionKey), systemClock);
    const kid = await keys.rotate(realm, algorithm);
    process.stdout.write(`realm ${realmName}: new active ${algorithm} signing key ${kid}\n`);
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`keys:rotate failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
