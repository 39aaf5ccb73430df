import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AuditTrail } from '../audit/audit-trail.service.js';
import { ClientRegistry } from '../clients/client.registry.js';
import type { RegisteredClient } from '../clients/registered-client.js';
import { bearerToken } from '../protocol/bearer-token.js';
import { OAuthError } from '../protocol/oauth-error.js';
import { RealmRegistry } from '../realms/realm.registry.js';
import { TokenInspector } from '../sessions/token-inspector.js';
import type { AccessTokenClaims } from '../tokens/access-token.claims.js';
import { refusedAdminAction } from './admin-action.js';
import { ADMIN_ROLE, rolesGranting, type AdminRole } from './admin-roles.js';

/**
 * Admits a call to the admin API (RFC 6750): a live access token of the path's realm (signature,
 * expiry, not revoked — token-inspector.ts), issued to a client by client credentials, whose `aud`
 * names this realm's issuer and whose roles include the one the handler requires. The role must be in
 * the token *and* still in the client's configuration, so taking a role away takes effect at once.
 * The audience, because RFC 9068 §4 has a resource server refuse a token not meant for it: else a
 * token a client got for an XIS could be replayed here by that XIS (config.schema.ts refuses an admin
 * client whose tokens could not name the issuer). No token, a dead one or one for another audience is
 * 401 `invalid_token` (RFC 6750 §3.1: not valid for this resource); a token without the role is 403
 * `insufficient_scope` (§3.1), recorded as a failed ADMIN_ACTION. A user's token never administers:
 * its `realm_access` roles come from FHIR contexts, not from the realm's configuration.
 * Sets `request.oauthRealm` and `request.oauthClient` (the administrator) for the handler.
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly realms: RealmRegistry,
    private readonly clients: ClientRegistry,
    private readonly inspector: TokenInspector,
    private readonly audit: AuditTrail,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const realm = this.realms.get((request.params as { realm: string }).realm);
    const role = this.reflector.get<AdminRole>(ADMIN_ROLE, context.getHandler());
    const inspected = await this.inspector.liveAccessToken(realm, bearerToken(request));
    if (!inspected || inspected.kind !== 'access')
      throw new OAuthError('invalid_token', 'admin API: not a live access token of this realm');
    const { claims } = inspected;
    if (!namesAudience(claims.aud, realm.issuer)) throw new OAuthError('invalid_token', 'admin API: token not issued for this service');
    const client = this.clients.find(realm.name, claims.client_id);
    if (!client || !holdsRole(claims, client, role)) {
      // A person's token (a user's never administers) names who tried, as every other event of theirs does.
      const person = claims.sid ? { userId: claims.sub, sessionId: inspected.session?.id } : {};
      await this.audit.failed({ ...refusedAdminAction(request, realm, claims.client_id), ...person }, 'insufficient_scope');
      throw new OAuthError('insufficient_scope', `admin API: ${claims.client_id} lacks ${role}`);
    }
    request.oauthRealm = realm;
    request.oauthClient = client;
    return true;
  }
}

/** The role is in a client-credentials token of the client itself, and still in its configuration. */
function holdsRole(claims: AccessTokenClaims, client: RegisteredClient, role: AdminRole): boolean {
  const held = claims.user_type === 'SYSTEM' && claims.sub === claims.client_id ? (claims.realm_access?.roles ?? []) : [];
  return rolesGranting(role).some((r) => held.includes(r) && client.config.roles.includes(r));
}

/** RFC 7519 §4.1.3: `aud` is one string or an array of them; the admin API is named by the realm's issuer. */
function namesAudience(aud: string | string[] | undefined, issuer: string): boolean {
  return Array.isArray(aud) ? aud.includes(issuer) : aud === issuer;
}
