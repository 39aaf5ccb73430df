import { Controller, Get, Header, Inject, Param } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FhirEndpoint } from '../fhir/fhir-endpoint.js';
import { FHIR_ENDPOINT } from '../fhir/fhir.module.js';
import { OAuthError } from '../protocol/oauth-error.js';
import { RealmRegistry } from '../realms/realm.registry.js';
import { DiscoveryService } from './discovery.service.js';
import { SmartConfigurationService } from './smart-configuration.service.js';

/**
 * Metadata at Keycloak's per-realm paths and at the RFC 8414 §3.1 path, where the well-known
 * segment goes between the host and the issuer's path; SMART's beside the issuer, where a SMART
 * client looks for it when the issuer is its authorization server.
 */
@ApiTags('OpenID Connect')
@Controller()
export class DiscoveryController {
  constructor(
    private readonly realms: RealmRegistry,
    private readonly discovery: DiscoveryService,
    private readonly smart: SmartConfigurationService,
    @Inject(FHIR_ENDPOINT) private readonly fhir: FhirEndpoint,
  ) {}

  @Get('realms/:realm/.well-known/openid-configuration')
  @ApiOperation({ summary: 'OpenID Provider metadata (OIDC Discovery 1.0 §4)' })
  @Header('Cache-Control', 'public, max-age=300')
  openidConfiguration(@Param('realm') realm: string): Record<string, unknown> {
    return this.discovery.metadata(this.realms.get(realm));
  }

  @Get(['realms/:realm/.well-known/oauth-authorization-server', '.well-known/oauth-authorization-server/realms/:realm'])
  @Header('Cache-Control', 'public, max-age=300')
  authorizationServerMetadata(@Param('realm') realm: string): Record<string, unknown> {
    return this.discovery.metadata(this.realms.get(realm));
  }

  @Get('realms/:realm/.well-known/smart-configuration')
  @ApiOperation({ summary: 'SMART App Launch 2.x configuration' })
  @Header('Cache-Control', 'public, max-age=300')
  smartConfiguration(@Param('realm') realm: string): Record<string, unknown> {
    return this.smart.configuration(this.realms.get(realm));
  }

  /**
   * SMART App Launch 2.x §"Retrieving .well-known/smart-configuration": a SMART app looks beside the
   * FHIR base it was given, so the embedded server's base of each realm publishes that realm's.
   */
  @Get('fhir/:realm/.well-known/smart-configuration')
  @Header('Cache-Control', 'public, max-age=300')
  fhirSmartConfiguration(@Param('realm') realm: string): Record<string, unknown> {
    if (!this.fhir.realmBases.has(realm))
      throw new OAuthError('not_found', 'no embedded FHIR base of that name', { description: 'Not found.' });
    return this.smart.configuration(this.realms.get(realm));
  }
}
