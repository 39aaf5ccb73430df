import { Global, Module } from '@nestjs/common';
import { CONFIG } from '../config/config.token.js';
import type { Config } from '../config/config.schema.js';
import { SigningKeyRepository } from '../storage/signing-key.repository.js';
import { KeyEncryption } from './key-encryption.js';
import { KeysController } from './keys.controller.js';
import { KeyWithdrawalService } from './key-withdrawal.service.js';
import { PublishedKeys } from './published-keys.js';
import { KEY_ENCRYPTION, SigningKeyService } from './signing-key.service.js';
import { SigningKeysBootstrap } from './signing-keys.bootstrap.js';
import { VerificationKeys } from './verification-keys.js';

@Global()
@Module({
  controllers: [KeysController],
  providers: [
    SigningKeyRepository,
    PublishedKeys,
    SigningKeyService,
    SigningKeysBootstrap,
    VerificationKeys,
    KeyWithdrawalService,
    { provide: KEY_ENCRYPTION, useFactory: (config: Config) => new KeyEncryption(config.keys.encryptionKey), inject: [CONFIG] },
  ],
  exports: [SigningKeyService, VerificationKeys, KeyWithdrawalService],
})
export class KeysModule {}
