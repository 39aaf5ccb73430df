import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ClientRegistry } from '../clients/client.registry.js';
import { bearerToken } from '../protocol/bearer-token.js';
import { OAuthError } from '../protocol/oauth-error.js';
import { RealmRegistry } from '../realms/realm.registry.js';
import { TokenInspector } from '../sessions/token-inspector.js';
import { ADMIN_ROLE, rolesGranting, type AdminRole } from './admin-roles.js';

/**
 * Admits a call to the admin API (RFC 6750): a live access token of the path's realm (signature,
 * expiry, not revoked — token-inspector.ts), issued to a client by client credentials, whose roles
 * include the one the handler requires. The role must be in the token *and* still in the client's
 * configuration, so taking a role away takes effect at once. No token or a dead one is 401
 * `invalid_token`; a token without the role is 403 `insufficient_scope` (§3.1). A user's token never
 * administers: its `realm_access` roles come from FHIR contexts, not from the realm's configuration.
 * Sets `request.oauthRealm` and `request.oauthClient` (the administrator) for the handler.
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly realms: RealmRegistry,
    private readonly clients: ClientRegistry,
    private readonly inspector: TokenInspector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const realm = this.realms.get((request.params as { realm: string }).realm);
    const role = this.reflector.get<AdminRole>(ADMIN_ROLE, context.getHandler());
    const inspected = await this.inspector.liveAccessToken(realm, bearerToken(request));
    if (!inspected || inspected.kind !== 'access')
      throw new OAuthError('invalid_token', 'admin API: not a live access token of this realm');
    const { claims } = inspected;
    const client = this.clients.find(realm.name, claims.client_id);
    const granting = rolesGranting(role);
    const held = claims.user_type === 'SYSTEM' && claims.sub === claims.client_id ? (claims.realm_access?.roles ?? []) : [];
    if (!client || !granting.some((r) => held.includes(r) && client.config.roles.includes(r))) {
      throw new OAuthError('insufficient_scope', `admin API: ${claims.client_id} lacks ${role}`);
    }
    request.oauthRealm = realm;
    request.oauthClient = client;
    return true;
  }
}
