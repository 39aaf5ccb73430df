import { Global, Module } from '@nestjs/common';
import { ExpiredRowsRepository } from '../storage/expired-rows.repository.js';
import { RevokedAccessTokenRepository } from '../storage/revoked-access-token.repository.js';
import { SamlIdpLogoutRepository } from '../storage/saml-idp-logout.repository.js';
import { SessionRepository } from '../storage/session.repository.js';
import { SsoSessionNameIdRepository } from '../storage/sso-session-name-id.repository.js';
import { SsoSessionRepository } from '../storage/sso-session.repository.js';
import { HousekeepingService } from './housekeeping.service.js';
import { IdpSubjects } from './idp-subjects.service.js';
import { CONFIG } from '../config/config.token.js';
import type { Config } from '../config/config.schema.js';
import { KeyEncryption } from '../keys/key-encryption.js';
import { NATIONAL_ID_ENCRYPTION, SessionService } from './session.service.js';
import { SsoSessionService } from './sso-session.service.js';
import { TokenInspector } from './token-inspector.js';

@Global()
@Module({
  providers: [
    SessionRepository,
    SessionService,
    SsoSessionRepository,
    SsoSessionService,
    SsoSessionNameIdRepository,
    SamlIdpLogoutRepository,
    IdpSubjects,
    RevokedAccessTokenRepository,
    TokenInspector,
    ExpiredRowsRepository,
    HousekeepingService,
    {
      provide: NATIONAL_ID_ENCRYPTION,
      useFactory: (config: Config) => new KeyEncryption(config.keys.encryptionKey, 'national-identifier/v1'),
      inject: [CONFIG],
    },
  ],
  exports: [
    SessionService,
    SsoSessionService,
    IdpSubjects,
    SessionRepository,
    RevokedAccessTokenRepository,
    TokenInspector,
    HousekeepingService,
  ],
})
export class SessionsModule {}
