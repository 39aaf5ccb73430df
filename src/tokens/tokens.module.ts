import { Global, Module } from '@nestjs/common';
import { AccessTokenIssuer } from './access-token.issuer.js';
import { SessionTokensIssuer } from './session-tokens.issuer.js';
import { TokenSigner } from './token-signer.js';

@Global()
@Module({ providers: [TokenSigner, AccessTokenIssuer, SessionTokensIssuer], exports: [TokenSigner, AccessTokenIssuer, SessionTokensIssuer] })
export class TokensModule {}
