import { Global, Module } from '@nestjs/common';
import { ClientAssertionJtiRepository } from '../storage/client-assertion-jti.repository.js';
import { ClientAssertionVerifier } from './client-assertion.verifier.js';
import { ClientAuthGuard } from './client-auth.guard.js';
import { ClientAuthenticator } from './client-authenticator.js';
import { ClientRegistry } from './client.registry.js';

@Global()
@Module({
  providers: [ClientRegistry, ClientAuthenticator, ClientAssertionVerifier, ClientAssertionJtiRepository, ClientAuthGuard],
  exports: [ClientRegistry, ClientAuthenticator, ClientAuthGuard, ClientAssertionJtiRepository],
})
export class ClientsModule {}
