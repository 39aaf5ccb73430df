import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ChangesState } from '../protocol/changes-state.js';
import { RealmRegistry } from '../realms/realm.registry.js';
import { sendLogoutOutcome } from './logout-reply.js';
import { SingleLogoutService } from './single-logout.service.js';

/**
 * SAML single logout by HTTP-Redirect (SAML Bindings §3.4) at the broker endpoint, Keycloak's path:
 * an IdP's LogoutRequest (`SAMLRequest`) or its LogoutResponse to ours (`SAMLResponse`). The same
 * messages by HTTP-POST arrive at the ACS (acs.controller.ts), which shares the path.
 */
@ApiTags('SAML broker')
@Controller('realms/:realm/broker/:alias/endpoint')
export class SingleLogoutController {
  constructor(
    private readonly realms: RealmRegistry,
    private readonly logout: SingleLogoutService,
  ) {}

  @Get()
  @ChangesState()
  @ApiOperation({ summary: 'SAML single logout (HTTP-Redirect binding, SAML Bindings §3.4): SAMLRequest or SAMLResponse' })
  @ApiResponse({ status: 303, description: 'On to the IdP with the signed LogoutResponse, or back to the client' })
  @ApiResponse({ status: 400, description: 'A page for the person: the message was refused and nothing ended' })
  async redirectBinding(
    @Param('realm') realmName: string,
    @Param('alias') alias: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    const realm = this.realms.get(realmName);
    // The signature covers the query exactly as sent (§3.4.4.1): the raw query, not the parsed one.
    const url = request.raw.url ?? '';
    const rawQuery = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
    return sendLogoutOutcome(reply, realm, await this.logout.receive(realm, alias, { binding: 'redirect', rawQuery }, request));
  }
}
