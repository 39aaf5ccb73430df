import { Module } from '@nestjs/common';
import { SamlModule } from '../saml/saml.module.js';
import { AuthorizationCodeRepository } from '../storage/authorization-code.repository.js';
import { LoginTransactionRepository } from '../storage/login-transaction.repository.js';
import { UserRepository } from '../storage/user.repository.js';
import { AcsController } from './acs.controller.js';
import { AuthorizationCodeService } from './authorization-code.service.js';
import { BrokerController } from './broker.controller.js';
import { IdpRedirector } from './idp-redirector.js';
import { LoginCompletionService } from './login-completion.service.js';
import { LoginStartService } from './login-start.service.js';
import { LoginPagesSetup } from './pages/login-pages.setup.js';
import { SsoLoginService } from './sso-login.service.js';

/** The browser login: authorization endpoint, IdP choice, mocked users, completion into a session and a code. */
@Module({
  imports: [SamlModule],
  controllers: [BrokerController, AcsController],
  providers: [
    AuthorizationCodeRepository,
    LoginTransactionRepository,
    UserRepository,
    AuthorizationCodeService,
    IdpRedirector,
    LoginStartService,
    LoginCompletionService,
    LoginPagesSetup,
    SsoLoginService,
  ],
  exports: [AuthorizationCodeService, AuthorizationCodeRepository, LoginStartService, SsoLoginService],
})
export class LoginModule {}
