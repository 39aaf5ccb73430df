import { Injectable, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuditTrail } from '../audit/audit-trail.service.js';
import { AuditedRefusal } from '../audit/audited-refusal.js';
import { ClientAuthenticator } from '../clients/client-authenticator.js';
import { readPresentedCredentials, type PresentedCredentials } from '../clients/client-credentials.reader.js';
import type { RegisteredClient } from '../clients/registered-client.js';
import { SingleLogoutService } from '../login/single-logout.service.js';
import { OAuthError } from '../protocol/oauth-error.js';
import type { Realm } from '../realms/realm.js';
import { RealmRegistry } from '../realms/realm.registry.js';
import { SessionService } from '../sessions/session.service.js';
import { ssoSessionIdOf } from '../sessions/sso-session.service.js';
import { undefinedIfTokenError } from '../tokens/token-errors.js';
import { TokenVerifier } from '../tokens/token-verifier.js';
import { markApiCall } from './api-calls-on-browser-routes.js';
import { clientAuthRefusalReason } from './client-auth-refusal.js';
import { TokenRefusalAudit } from './token-refusal-audit.js';

/** A POST to the logout endpoint that carries a `refresh_token` (logout.controller.ts sends it here). */
@Injectable()
export class RefreshTokenLogout {
  private readonly logger = new Logger('Logout');

  constructor(
    private readonly realms: RealmRegistry,
    private readonly verifier: TokenVerifier,
    private readonly sessions: SessionService,
    private readonly audit: AuditTrail,
    private readonly singleLogout: SingleLogoutService,
    private readonly authenticator: ClientAuthenticator,
    private readonly refusals: TokenRefusalAudit,
  ) {}

  /**
   * Keycloak's non-browser logout (its LogoutEndpoint): an app's server POSTs its `refresh_token` here
   * with its client authentication (`client_id` for a public client). The SSO session of the token's
   * session ends with every client session in it, as at RP-initiated logout; 204. A client that cannot
   * authenticate, or a refresh token that does not verify or is another client's, gets an RFC 6749
   * §5.2 body and ends nothing, so the app learns that its logout did not happen.
   *
   * A refusal is a LOGOUT_ERROR in the audit trail, as Keycloak records it, so someone trying a
   * client's secret, or a refresh token that is not theirs, here shows as it does at the token
   * endpoint: under the same reason codes, and within the same bound ({@link TokenRefusalAudit}, one
   * share per address and window for both), since anyone can send these as fast as token requests.
   */
  async answer(realmName: string, body: Record<string, unknown>, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    // An API call on a browser route: what the filter answers for it (an outage) is JSON too.
    markApiCall(request);
    const realm = this.realms.get(realmName);
    let credentials: PresentedCredentials | undefined;
    let client: RegisteredClient | undefined;
    try {
      credentials = readPresentedCredentials(request);
      client = await this.authenticator.authenticate(realm, credentials);
      const token = typeof body.refresh_token === 'string' ? body.refresh_token : undefined;
      if (token === undefined || token === '') throw new OAuthError('invalid_request', 'refresh_token missing or repeated');
      const claims = await this.verifier.verifyRefreshToken(realm, token).catch(undefinedIfTokenError);
      // Keycloak's `invalid_token`, as a refused refresh records it. Another client's token is genuine:
      // the refusal names its session and user, so it shows in that person's trail.
      if (!claims) throw new AuditedRefusal('invalid_grant', 'logout: refresh token rejected', { error: 'invalid_token' });
      if (claims.client_id !== client.clientId)
        throw new AuditedRefusal('invalid_grant', 'logout: refresh token of another client', {
          error: 'invalid_token',
          sessionId: claims.sid,
        });
      const { sid } = claims;
      const sso = ssoSessionIdOf(sid);
      const facts = { by: 'user', actor: client.clientId, ipAddress: request.ip } as const;
      if (sso === undefined) await this.audit.endSession(sid, facts, (tx) => this.sessions.end(sid, 'logout', tx));
      else await this.singleLogout.endSsoSessions([sso], 'logout', facts);
      this.logger.log({ realm: realm.name, client: client.clientId }, 'logout by refresh token');
      return reply.status(204).header('Cache-Control', 'no-store').send();
    } catch (error) {
      if (!(error instanceof OAuthError) || error.status >= 500) throw error;
      await this.recordRefusal(realm, request, credentials, client, error);
      // An API call on a browser route: the error as JSON (RFC 6749 §5.2), not the error page.
      this.logger.warn({ realm: realm.name, code: error.code, reason: error.reason }, 'logout by refresh token refused');
      if (error.code === 'invalid_client') void reply.header('WWW-Authenticate', `Basic realm="${realm.name}"`);
      return reply
        .status(error.status)
        .header('Content-Type', 'application/json; charset=utf-8')
        .header('Cache-Control', 'no-store')
        .send({ error: error.code, error_description: error.description });
    }
  }

  /**
   * The LOGOUT_ERROR of a refused non-browser logout. Before its client authenticated, under the token
   * endpoint's reason codes (TokenClientAuthGuard): `invalid_client_credentials` naming the registered
   * client the credentials claim, `client_not_found` (an id nobody registered is not kept: it may be a
   * secret sent in its place), `invalid_client` (credentials it could not read), or the refusal's own
   * code (several methods at once: `invalid_request`). After it, with its `clientId`, the refusal's code
   * (audited-refusal.ts), and the session and user of a genuine token. Never the token or a secret.
   */
  private async recordRefusal(
    realm: Realm,
    request: FastifyRequest,
    credentials: PresentedCredentials | undefined,
    client: RegisteredClient | undefined,
    error: OAuthError,
  ): Promise<void> {
    const event = { realm: realm.name, type: 'LOGOUT_ERROR', ipAddress: request.ip } as const;
    if (client !== undefined) return this.refusals.refused({ ...event, clientId: client.clientId }, error);
    const claimed = credentials && this.authenticator.claimedClient(realm, credentials);
    const reason = error.code === 'invalid_client' ? clientAuthRefusalReason(credentials, claimed) : error.code;
    await this.refusals.failed({ ...event, clientId: claimed?.clientId, details: { client_auth_method: credentials?.method } }, reason);
  }
}
