import { Global, Module } from '@nestjs/common';
import { AccessTokenIssuer } from './access-token.issuer.js';
import { ExternalTokenVerifier } from './external-token.verifier.js';
import { LogoutTokenIssuer } from './logout-token.issuer.js';
import { SessionTokensIssuer } from './session-tokens.issuer.js';
import { RefreshTokenMac } from './refresh-token-mac.js';
import { TokenSigner } from './token-signer.js';
import { TokenVerifier } from './token-verifier.js';

@Global()
@Module({
  providers: [
    TokenSigner,
    RefreshTokenMac,
    TokenVerifier,
    ExternalTokenVerifier,
    AccessTokenIssuer,
    SessionTokensIssuer,
    LogoutTokenIssuer,
  ],
  exports: [TokenSigner, TokenVerifier, ExternalTokenVerifier, AccessTokenIssuer, SessionTokensIssuer, LogoutTokenIssuer],
})
export class TokensModule {}
