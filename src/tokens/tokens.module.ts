import { Global, Module } from '@nestjs/common';
import { AccessTokenIssuer } from './access-token.issuer.js';
import { ExternalTokenVerifier } from './external-token.verifier.js';
import { SessionTokensIssuer } from './session-tokens.issuer.js';
import { TokenSigner } from './token-signer.js';
import { TokenVerifier } from './token-verifier.js';

@Global()
@Module({
  providers: [TokenSigner, TokenVerifier, ExternalTokenVerifier, AccessTokenIssuer, SessionTokensIssuer],
  exports: [TokenSigner, TokenVerifier, ExternalTokenVerifier, AccessTokenIssuer, SessionTokensIssuer],
})
export class TokensModule {}
