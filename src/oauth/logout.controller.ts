import { Controller, Get, Logger, Param, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiForm } from '../protocol/openapi.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuditTrail } from '../audit/audit-trail.service.js';
import { ClientRegistry } from '../clients/client.registry.js';
import { sendErrorPage, sendHtml, sendRedirect } from '../login/html-reply.js';
import type { ErrorPage } from '../login/pages/error.page.js';
import { renderLoggedOutPage } from '../login/pages/logged-out.page.js';
import { SingleLogoutService } from '../login/single-logout.service.js';
import { RealmRegistry } from '../realms/realm.registry.js';
import { SessionService } from '../sessions/session.service.js';
import { SsoSessionService, ssoSessionIdOf } from '../sessions/sso-session.service.js';
import { clearedSsoCookies, presentedSsoSecret } from '../login/sso-cookies.js';
import { undefinedIfTokenError } from '../tokens/token-errors.js';
import { TokenVerifier } from '../tokens/token-verifier.js';

const INVALID_LOGOUT: ErrorPage = { status: 400, key: 'invalid_logout_link' };

/**
 * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §2): the `id_token_hint` names the
 * session (its `sid`) and the client (its `aud`); an expired hint still counts (§2: the OP SHOULD
 * accept it). The browser's SSO session the hint's session belongs to ends, and with it every client
 * session in it (every app of the realm this browser logged in to), so every refresh token of them
 * dies and their access tokens introspect as inactive; the browser's SSO cookies go when they named
 * it. Only a registered `post_logout_redirect_uri` is followed, with `state`. When the login was at
 * a SAML IdP with a SingleLogoutService, the browser goes there first with a signed LogoutRequest
 * (SAML Profiles §4.4.3.1), and its LogoutResponse at the broker endpoint sends it on.
 */
@ApiTags('OpenID Connect')
@Controller('realms/:realm/protocol/openid-connect')
export class LogoutController {
  private readonly logger = new Logger('Logout');

  constructor(
    private readonly realms: RealmRegistry,
    private readonly clients: ClientRegistry,
    private readonly verifier: TokenVerifier,
    private readonly sessions: SessionService,
    private readonly ssoSessions: SsoSessionService,
    private readonly audit: AuditTrail,
    private readonly singleLogout: SingleLogoutService,
  ) {}

  @Get('logout')
  @ApiOperation({
    summary: 'RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §2): id_token_hint, post_logout_redirect_uri, state',
  })
  @ApiResponse({ status: 303, description: 'To the registered post_logout_redirect_uri' })
  @ApiResponse({ status: 200, description: 'A logged-out page' })
  byGet(@Param('realm') realm: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    return this.logout(realm, request.query as Record<string, unknown>, request, reply);
  }

  @Post('logout')
  @ApiOperation({ summary: 'RP-initiated logout by form POST' })
  @ApiForm({
    id_token_hint: 'an ID token of the session',
    post_logout_redirect_uri: 'a registered URI',
    state: 'returned as is',
    client_id: 'the client',
  })
  @ApiResponse({ status: 303, description: 'To the registered post_logout_redirect_uri' })
  byPost(@Param('realm') realm: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    return this.logout(realm, (request.body ?? {}) as Record<string, unknown>, request, reply);
  }

  private async logout(
    realmName: string,
    params: Record<string, unknown>,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<FastifyReply> {
    const realm = this.realms.get(realmName);
    const text = (name: string) => (typeof params[name] === 'string' && params[name] !== '' ? (params[name] as string) : undefined);
    const hint = text('id_token_hint');
    const claims = hint
      ? await this.verifier.verify<{ aud: string; sid?: string }>(realm, hint, 'JWT', { allowExpired: true }).catch(undefinedIfTokenError)
      : undefined;
    const client = claims ? this.clients.find(realm.name, claims.aud) : undefined;
    if (!claims?.sid || !client || (text('client_id') !== undefined && text('client_id') !== client.clientId)) {
      this.logger.warn({ realm: realm.name }, 'logout refused: missing or invalid id_token_hint');
      return sendErrorPage(reply, INVALID_LOGOUT);
    }
    const redirect = text('post_logout_redirect_uri');
    if (redirect !== undefined && !client.config.postLogoutRedirectUris.includes(redirect)) {
      this.logger.warn({ realm: realm.name, client: client.clientId }, 'logout refused: post_logout_redirect_uri not registered');
      return sendErrorPage(reply, INVALID_LOGOUT);
    }
    const sid = claims.sid;
    const sso = ssoSessionIdOf(sid);
    const ended = await this.audit.endSession(sid, { by: 'user', ipAddress: reply.request.ip }, (tx) =>
      sso === undefined ? this.sessions.end(sid, 'logout', tx) : this.ssoSessions.end(sso, 'logout', tx),
    );
    // The browser's cookies go when the session they named is over (another live one is left alone).
    const secret = presentedSsoSecret(request);
    if (secret !== undefined && !(await this.ssoSessions.resume(realm, secret))) void reply.header('Set-Cookie', clearedSsoCookies(realm));
    let target: string | undefined;
    if (redirect) {
      const url = new URL(redirect);
      const state = text('state');
      if (state !== undefined) url.searchParams.set('state', state);
      target = url.toString();
    }
    // SAML Profiles §4.4.3.1: the session here has ended, whatever the IdP answers; the IdP's session
    // ends too when it has a SingleLogoutService, and its LogoutResponse brings the browser back here.
    const atIdp = ended && sso !== undefined ? await this.singleLogout.logoutAtIdp(realm, sso, target ?? '') : undefined;
    if (atIdp) return sendRedirect(reply, atIdp);
    return target ? sendRedirect(reply, target) : sendHtml(reply, 200, renderLoggedOutPage());
  }
}
