import { Module } from '@nestjs/common';
import { AuditTrail } from '../audit/audit-trail.service.js';
import { CLOCK, type Clock } from '../common/clock.js';
import { CONFIG } from '../config/config.token.js';
import type { Config } from '../config/config.schema.js';
import { BackchannelModule } from '../backchannel/backchannel.module.js';
import { ContextsModule } from '../contexts/contexts.module.js';
import { SamlModule } from '../saml/saml.module.js';
import { AuthorizationCodeRepository } from '../storage/authorization-code.repository.js';
import { LoginTransactionRepository } from '../storage/login-transaction.repository.js';
import { SsoSessionRepository } from '../storage/sso-session.repository.js';
import { UserRepository } from '../storage/user.repository.js';
import { AcsController } from './acs.controller.js';
import { AuthorizationCodeService } from './authorization-code.service.js';
import { BrokerController } from './broker.controller.js';
import { ExternalIdDigest } from './external-id-digest.js';
import { IdpRedirector } from './idp-redirector.js';
import { LegacyExternalIdSweep } from './legacy-external-id-sweep.js';
import { LoginCompletionService } from './login-completion.service.js';
import { LoginRefusalAudit } from './login-refusal-audit.js';
import { LoginStartService } from './login-start.service.js';
import { MockedSessionsSweep } from './mocked-sessions-sweep.js';
import { RemovedIdpSessionsSweep } from './removed-idp-sessions-sweep.js';
import { LoginPagesSetup } from './pages/login-pages.setup.js';
import { SingleLogoutController } from './single-logout.controller.js';
import { SingleLogoutService } from './single-logout.service.js';
import { SsoLoginService } from './sso-login.service.js';

/** The browser login: authorization endpoint, IdP choice, mocked users, completion into a session and a code; SAML single logout. */
@Module({
  imports: [SamlModule, BackchannelModule, ContextsModule],
  controllers: [BrokerController, AcsController, SingleLogoutController],
  providers: [
    AuthorizationCodeRepository,
    LoginTransactionRepository,
    UserRepository,
    ExternalIdDigest,
    LegacyExternalIdSweep,
    SsoSessionRepository,
    MockedSessionsSweep,
    RemovedIdpSessionsSweep,
    AuthorizationCodeService,
    IdpRedirector,
    LoginStartService,
    LoginCompletionService,
    LoginPagesSetup,
    SsoLoginService,
    SingleLogoutService,
    {
      provide: LoginRefusalAudit,
      useFactory: (audit: AuditTrail, config: Config, clock: Clock) => new LoginRefusalAudit(audit, config.limits.loginRefusalAudit, clock),
      inject: [AuditTrail, CONFIG, CLOCK],
    },
  ],
  exports: [AuthorizationCodeService, AuthorizationCodeRepository, LoginStartService, SsoLoginService, SingleLogoutService],
})
export class LoginModule {}
