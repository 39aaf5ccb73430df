import { Global, Module } from '@nestjs/common';
import { AccessTokenIssuer } from './access-token.issuer.js';
import { TokenSigner } from './token-signer.js';

@Global()
@Module({ providers: [TokenSigner, AccessTokenIssuer], exports: [TokenSigner, AccessTokenIssuer] })
export class TokensModule {}
