import { Global, Module } from '@nestjs/common';
import { ClientAssertionJtiRepository } from '../storage/client-assertion-jti.repository.js';
import { ClientAssertionVerifier } from './client-assertion.verifier.js';
import { ClientAuthGuard } from './client-auth.guard.js';
import { ClientAuthenticator } from './client-authenticator.js';
import { ClientRegistry } from './client.registry.js';
import { PreviousSecretUses } from './previous-secret-uses.js';

@Global()
@Module({
  providers: [
    ClientRegistry,
    ClientAuthenticator,
    ClientAssertionVerifier,
    ClientAssertionJtiRepository,
    ClientAuthGuard,
    PreviousSecretUses,
  ],
  exports: [ClientRegistry, ClientAuthenticator, ClientAuthGuard, ClientAssertionJtiRepository, PreviousSecretUses],
})
export class ClientsModule {}
