import { Module } from '@nestjs/common';
import { AuditTrail } from '../audit/audit-trail.service.js';
import { CLOCK, type Clock } from '../common/clock.js';
import type { Config } from '../config/config.schema.js';
import { CONFIG } from '../config/config.token.js';
import { ContextsModule } from '../contexts/contexts.module.js';
import { LoginModule } from '../login/login.module.js';
import { AuthorizeController } from './authorize.controller.js';
import { DiscoveryController } from './discovery.controller.js';
import { DiscoveryService } from './discovery.service.js';
import { AuthorizationCodeGrant } from './grants/authorization-code.grant.js';
import { ClientCredentialsGrant } from './grants/client-credentials.grant.js';
import { ExchangeSubjectResolver } from './grants/exchange-subject.resolver.js';
import { RefreshTokenGrant } from './grants/refresh-token.grant.js';
import { RefreshTokenReuse } from './grants/refresh-token-reuse.js';
import { TokenExchangeGrant } from './grants/token-exchange.grant.js';
import { IntrospectionController } from './introspection.controller.js';
import { LogoutController } from './logout.controller.js';
import { RevocationController } from './revocation.controller.js';
import { SmartConfigurationService } from './smart-configuration.service.js';
import { UserinfoController } from './userinfo.controller.js';
import { AccountController } from './account.controller.js';
import { GRANT_HANDLERS, type GrantHandler } from './grants/grant-handler.js';
import { TokenController } from './token.controller.js';
import { RefreshTokenLogout } from './refresh-token-logout.js';
import { TokenRefusalAudit } from './token-refusal-audit.js';
import { SessionStatusController } from './session-status/session-status.controller.js';

@Module({
  imports: [LoginModule, ContextsModule],
  controllers: [
    AuthorizeController,
    TokenController,
    DiscoveryController,
    IntrospectionController,
    RevocationController,
    UserinfoController,
    AccountController,
    SessionStatusController,
    LogoutController,
  ],
  providers: [
    DiscoveryService,
    SmartConfigurationService,
    ClientCredentialsGrant,
    AuthorizationCodeGrant,
    RefreshTokenGrant,
    RefreshTokenReuse,
    TokenExchangeGrant,
    ExchangeSubjectResolver,
    RefreshTokenLogout,
    {
      provide: TokenRefusalAudit,
      useFactory: (audit: AuditTrail, config: Config, clock: Clock) => new TokenRefusalAudit(audit, config.limits.tokenRefusalAudit, clock),
      inject: [AuditTrail, CONFIG, CLOCK],
    },
    {
      provide: GRANT_HANDLERS,
      useFactory: (...grants: GrantHandler[]) => grants,
      inject: [AuthorizationCodeGrant, RefreshTokenGrant, ClientCredentialsGrant, TokenExchangeGrant],
    },
  ],
})
export class OAuthModule {}
