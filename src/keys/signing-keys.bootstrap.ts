import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ConfigError } from '../config/config.error.js';
import { RealmRegistry } from '../realms/realm.registry.js';
import { SigningKeyRepository } from '../storage/signing-key.repository.js';
import type { KeyEncryption } from './key-encryption.js';
import { KEY_ENCRYPTION, SigningKeyService } from './signing-key.service.js';

/** Gives every realm an active signing key of each algorithm it signs with before the service accepts requests. */
@Injectable()
export class SigningKeysBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('SigningKeys');

  constructor(
    private readonly realms: RealmRegistry,
    private readonly keys: SigningKeyService,
    private readonly stored: SigningKeyRepository,
    @Inject(KEY_ENCRYPTION) private readonly encryption: KeyEncryption,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.proveEncryptionKey();
    for (const realm of this.realms.all()) {
      await this.keys.ensureActiveKeys(realm);
      for (const wanted of realm.signingAlgs) {
        const { kid, alg } = await this.keys.activeKey(realm, wanted);
        this.logger.log({ realm: realm.name, kid, alg }, 'signing key ready');
      }
    }
  }

  /**
   * Before anything is written: `keys.encryptionKey` decrypts a key already stored. A start with another
   * one would install a realm's key (a new realm, algorithm or key file) sealed under it, which no
   * correctly configured instance could then read: every instance's signing would fail, and so would
   * their starts. Refused here as the config's error, naming the key, with nothing changed.
   */
  private async proveEncryptionKey(): Promise<void> {
    const stored = await this.stored.findAny();
    if (stored === undefined) return;
    try {
      this.encryption.decrypt(stored.private_jwk_enc, stored.kid);
    } catch {
      throw ConfigError.problem(
        'keys.encryptionKey: does not decrypt the signing keys stored in this database; it must be the key they were stored with (nothing was changed)',
      );
    }
  }
}
