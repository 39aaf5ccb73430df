import { Module } from '@nestjs/common';
import { DiscoveryController } from './discovery.controller.js';
import { DiscoveryService } from './discovery.service.js';
import { ClientCredentialsGrant } from './grants/client-credentials.grant.js';
import { GRANT_HANDLERS, type GrantHandler } from './grants/grant-handler.js';
import { TokenController } from './token.controller.js';

@Module({
  controllers: [TokenController, DiscoveryController],
  providers: [
    DiscoveryService,
    ClientCredentialsGrant,
    { provide: GRANT_HANDLERS, useFactory: (...grants: GrantHandler[]) => grants, inject: [ClientCredentialsGrant] },
  ],
})
export class OAuthModule {}
