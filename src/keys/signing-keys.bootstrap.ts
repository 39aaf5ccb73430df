import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { RealmRegistry } from '../realms/realm.registry.js';
import { SigningKeyService } from './signing-key.service.js';

/** Gives every realm an active signing key of each algorithm it signs with before the service accepts requests. */
@Injectable()
export class SigningKeysBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('SigningKeys');

  constructor(
    private readonly realms: RealmRegistry,
    private readonly keys: SigningKeyService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.keys.proveEncryptionKey();
    for (const realm of this.realms.all()) {
      await this.keys.ensureActiveKeys(realm);
      for (const wanted of realm.signingAlgs) {
        const { kid, alg } = await this.keys.activeKey(realm, wanted);
        this.logger.log({ realm: realm.name, kid, alg }, 'signing key ready');
      }
    }
  }
}
