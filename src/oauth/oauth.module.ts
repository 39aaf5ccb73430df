import { Module } from '@nestjs/common';
import { LoginModule } from '../login/login.module.js';
import { DiscoveryController } from './discovery.controller.js';
import { DiscoveryService } from './discovery.service.js';
import { AuthorizationCodeGrant } from './grants/authorization-code.grant.js';
import { ClientCredentialsGrant } from './grants/client-credentials.grant.js';
import { GRANT_HANDLERS, type GrantHandler } from './grants/grant-handler.js';
import { TokenController } from './token.controller.js';

@Module({
  imports: [LoginModule],
  controllers: [TokenController, DiscoveryController],
  providers: [
    DiscoveryService,
    ClientCredentialsGrant,
    AuthorizationCodeGrant,
    { provide: GRANT_HANDLERS, useFactory: (...grants: GrantHandler[]) => grants, inject: [AuthorizationCodeGrant, ClientCredentialsGrant] },
  ],
})
export class OAuthModule {}
