import { Global, Module } from '@nestjs/common';
import { AccessTokenIssuer } from './access-token.issuer.js';
import { SessionTokensIssuer } from './session-tokens.issuer.js';
import { TokenSigner } from './token-signer.js';
import { TokenVerifier } from './token-verifier.js';

@Global()
@Module({
  providers: [TokenSigner, TokenVerifier, AccessTokenIssuer, SessionTokensIssuer],
  exports: [TokenSigner, TokenVerifier, AccessTokenIssuer, SessionTokensIssuer],
})
export class TokensModule {}
