import { Controller, Get, Header, Param } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RealmRegistry } from '../realms/realm.registry.js';
import { JWKS_MAX_AGE_S, SigningKeyService } from './signing-key.service.js';

/** The realm's JWK Set (RFC 7517 §5), at Keycloak's path. */
@ApiTags('OpenID Connect')
@Controller('realms/:realm/protocol/openid-connect')
export class KeysController {
  constructor(
    private readonly realms: RealmRegistry,
    private readonly keys: SigningKeyService,
  ) {}

  @Get('certs')
  @ApiOperation({
    summary: 'JWKS (RFC 7517): the realm’s signing keys: those signing now, one a rotation published ahead, recently retired ones',
  })
  @ApiResponse({ status: 200, description: 'A JSON Web Key Set' })
  @Header('Cache-Control', `public, max-age=${JWKS_MAX_AGE_S}`)
  async certs(@Param('realm') realmName: string): Promise<{ keys: unknown[] }> {
    return { keys: await this.keys.publishedKeys(this.realms.get(realmName)) };
  }
}
