import { Global, Module } from '@nestjs/common';
import { RevokedAccessTokenRepository } from '../storage/revoked-access-token.repository.js';
import { SessionRepository } from '../storage/session.repository.js';
import { HousekeepingService } from './housekeeping.service.js';
import { SessionService } from './session.service.js';
import { TokenInspector } from './token-inspector.js';

@Global()
@Module({
  providers: [SessionRepository, SessionService, RevokedAccessTokenRepository, TokenInspector, HousekeepingService],
  exports: [SessionService, SessionRepository, RevokedAccessTokenRepository, TokenInspector, HousekeepingService],
})
export class SessionsModule {}
