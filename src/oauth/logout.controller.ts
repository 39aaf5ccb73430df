import { Controller, Get, Logger, Param, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { withQueryParams } from '../protocol/authorization-response.js';
import { ChangesState } from '../protocol/changes-state.js';
import { ApiForm } from '../protocol/openapi.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuditTrail, type LogoutFacts } from '../audit/audit-trail.service.js';
import { ClientRegistry } from '../clients/client.registry.js';
import { sendErrorPage, sendHtml, sendRedirect } from '../login/html-reply.js';
import type { ErrorPage } from '../login/pages/error.page.js';
import { renderLoggedOutPage } from '../login/pages/logged-out.page.js';
import { renderLogoutConfirmPage } from '../login/pages/logout-confirm.page.js';
import { confirmsLogout, logoutConfirmation } from '../login/logout-confirmation.js';
import { sendToIdp } from '../login/logout-reply.js';
import type { LogoutReply } from '../saml/saml-logout.service.js';
import { SingleLogoutService } from '../login/single-logout.service.js';
import type { Realm } from '../realms/realm.js';
import { RealmRegistry } from '../realms/realm.registry.js';
import { SamlBusyError } from '../saml/saml.errors.js';
import { SessionService } from '../sessions/session.service.js';
import type { SsoSessionRow } from '../storage/sso-session.repository.js';
import { SsoSessionService, ssoSessionIdOf } from '../sessions/sso-session.service.js';
import { clearedSsoCookies, presentedSsoSecret } from '../login/sso-cookies.js';
import { undefinedIfTokenError } from '../tokens/token-errors.js';
import { TokenVerifier } from '../tokens/token-verifier.js';
import { AUTHORIZATION_PARAMETER_MAX_LENGTH, isUnacceptableValue, MAX_ID_TOKEN_HINT_LENGTH } from './authorization-request-limits.js';
import { RefreshTokenLogout } from './refresh-token-logout.js';

const INVALID_LOGOUT: ErrorPage = { status: 400, key: 'invalid_logout_link' };
const LOGOUT_BUSY: ErrorPage = { status: 503, key: 'logout_busy' };
const LOGOUT_PAGE = 'The page asking the person to confirm (no id_token_hint, or another session’s), or a logged-out page';
const INVALID_LOGOUT_PAGE =
  'A page: the logout link is not valid (an unregistered URI, a parameter repeated, too long or with a control character)';
/** How long a logout shed by a full SAML worker queue is told to wait: a burst of the moment, each task bounded by `saml.validationTimeoutMs`. */
const BUSY_RETRY_AFTER_SECONDS = 5;

/**
 * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §2): the `id_token_hint` names the
 * session (its `sid`) and the client (its `aud`); an expired hint still counts (§2: the OP SHOULD
 * accept it). A browser whose live SSO session is another one is asked first (§2: MUST). The SSO
 * session the hint's session belongs to ends, and with it every client session in it (every app of
 * the realm this browser logged in to), so every refresh token of them dies and their access tokens
 * introspect as inactive; the browser's SSO cookies go. Only a registered `post_logout_redirect_uri`
 * is followed, with `state`. When the login was at a SAML IdP with a SingleLogoutService, the
 * browser goes there first with a signed LogoutRequest (SAML Profiles §4.4.3.1), and its
 * LogoutResponse at the broker endpoint sends it on; when the SAML worker queue has no room to sign
 * it, nothing ends and the person is asked to try again (503, {@link LogoutController.endSso}).
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
    private readonly refreshTokenLogout: RefreshTokenLogout,
  ) {}

  @Get('logout')
  @ChangesState()
  @ApiOperation({
    summary: 'RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §2): id_token_hint, post_logout_redirect_uri, state',
  })
  @ApiResponse({ status: 303, description: 'To the registered post_logout_redirect_uri' })
  @ApiResponse({ status: 200, description: LOGOUT_PAGE })
  @ApiResponse({ status: 400, description: INVALID_LOGOUT_PAGE })
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
    refresh_token: 'Keycloak’s non-browser logout: the client’s refresh token (with its client authentication)',
    client_secret: 'Keycloak’s non-browser logout: client_secret_post',
    client_assertion_type: 'Keycloak’s non-browser logout, private_key_jwt (RFC 7523)',
    client_assertion: 'Keycloak’s non-browser logout, private_key_jwt: the signed JWT',
  })
  @ApiResponse({ status: 303, description: 'To the registered post_logout_redirect_uri' })
  @ApiResponse({ status: 200, description: LOGOUT_PAGE })
  @ApiResponse({
    status: 204,
    description: 'Keycloak’s non-browser logout (refresh_token and client authentication): the SSO session ended',
  })
  @ApiResponse({ status: 400, description: `${INVALID_LOGOUT_PAGE}; for a refresh_token logout, an RFC 6749 §5.2 body` })
  byPost(@Param('realm') realm: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (Object.hasOwn(body, 'refresh_token')) return this.refreshTokenLogout.answer(realm, body, request, reply);
    return this.logout(realm, body, request, reply);
  }

  @Post('logout/confirm')
  @ApiOperation({ summary: 'The logout confirmation form of a logout without id_token_hint (its button posts here)' })
  @ApiForm(
    {
      confirmation: 'the page’s own proof, bound to the browser’s SSO session',
      client_id: 'as the logout request named it',
      post_logout_redirect_uri: 'as the logout request named it',
      state: 'as the logout request named it',
    },
    ['confirmation'],
  )
  @ApiResponse({ status: 303, description: 'To the registered post_logout_redirect_uri' })
  @ApiResponse({ status: 200, description: 'A logged-out page' })
  async confirmed(@Param('realm') realmName: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const realm = this.realms.get(realmName);
    const text = textParams((request.body ?? {}) as Record<string, unknown>);
    if (!text) return this.refuseMalformed(realm.name, reply);
    return this.withoutHint(realm, text, request, reply, true);
  }

  private refuseMalformed(realm: string, reply: FastifyReply): FastifyReply {
    this.logger.warn({ realm }, 'logout refused: a parameter sent more than once, too long, or with a control character');
    return sendErrorPage(reply, INVALID_LOGOUT);
  }

  private async logout(
    realmName: string,
    params: Record<string, unknown>,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<FastifyReply> {
    const realm = this.realms.get(realmName);
    const text = textParams(params);
    if (!text) return this.refuseMalformed(realm.name, reply);
    const hint = text('id_token_hint');
    if (hint === undefined) return this.withoutHint(realm, text, request, reply, false);
    const claims = await this.verifier
      .verify<{ aud: string; sid?: string }>(realm, hint, 'JWT', { allowExpired: true })
      .catch(undefinedIfTokenError);
    const client = claims ? this.clients.find(realm.name, claims.aud) : undefined;
    if (!claims?.sid || !client || (text('client_id') !== undefined && text('client_id') !== client.clientId)) {
      this.logger.warn({ realm: realm.name }, 'logout refused: invalid id_token_hint');
      return sendErrorPage(reply, INVALID_LOGOUT);
    }
    const redirect = text('post_logout_redirect_uri');
    if (redirect !== undefined && !client.config.postLogoutRedirectUris.includes(redirect)) {
      this.logger.warn({ realm: realm.name, client: client.clientId }, 'logout refused: post_logout_redirect_uri not registered');
      return sendErrorPage(reply, INVALID_LOGOUT);
    }
    const sid = claims.sid;
    const sso = ssoSessionIdOf(sid);
    // §2: the OP MUST ask when the hint does not belong to the browser's current session. A browser
    // whose own live SSO session is not the hint's (another person's, or one that replaced it since)
    // is asked, as without a hint, and its answer ends its own session. Without a live one (another
    // user agent, e.g. an RP's server) the hint's session ends, as Keycloak does.
    const secret = presentedSsoSecret(request);
    const browserSso = secret === undefined ? undefined : await this.ssoSessions.resume(realm, secret);
    if (browserSso !== undefined && browserSso.id !== sso) {
      this.logger.log({ realm: realm.name, client: client.clientId }, 'logout asked: the hint is not of this browser’s session');
      const asked = (name: string) => (name === 'client_id' ? client.clientId : text(name));
      return this.withoutHint(realm, asked, request, reply, false, browserSso);
    }
    // Every client session that ends here gets its LOGOUT, not only the one the hint names.
    const facts = { by: 'user', ipAddress: reply.request.ip } as const;
    const target = redirect === undefined ? undefined : withState(redirect, text('state'));
    // The browser's cookies named this session, or none that is live.
    if (sso !== undefined) return this.endSso(realm, reply, sso, target, secret !== undefined, facts);
    await this.audit.endSession(sid, facts, (tx) => this.sessions.end(sid, 'logout', tx));
    if (secret !== undefined) void reply.header('Set-Cookie', clearedSsoCookies(realm));
    return this.leave(reply, target);
  }

  /**
   * A logout that names no session (§2: `id_token_hint` is only RECOMMENDED; keycloak-js leaves it out
   * once it has dropped its tokens). It can only be about this browser's SSO session, and a link any
   * site can open must not end that by itself: the person is asked first (§2: the OP "SHOULD ask the
   * End-User whether to log out"), and the answer counts only with the confirmation value that page
   * carried (logout-confirmation.ts). `client_id` names the client whose registered
   * `post_logout_redirect_uri` may be followed; without it no redirect can be checked, so none is taken.
   * A browser with no live SSO session has nothing to end and goes straight on. `browserSso`: the
   * browser's live SSO session, when the caller has looked it up already.
   */
  private async withoutHint(
    realm: Realm,
    text: (name: string) => string | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
    confirmed: boolean,
    browserSso?: SsoSessionRow,
  ): Promise<FastifyReply> {
    const clientId = text('client_id');
    const client = clientId === undefined ? undefined : this.clients.find(realm.name, clientId);
    const redirect = text('post_logout_redirect_uri');
    if ((clientId !== undefined && !client) || (redirect !== undefined && !client?.config.postLogoutRedirectUris.includes(redirect))) {
      this.logger.warn({ realm: realm.name }, 'logout refused: unknown client_id, or a post_logout_redirect_uri not registered for it');
      return sendErrorPage(reply, INVALID_LOGOUT);
    }
    const target = redirect === undefined ? undefined : withState(redirect, text('state'));
    const secret = presentedSsoSecret(request);
    const sso = browserSso ?? (secret === undefined ? undefined : await this.ssoSessions.resume(realm, secret));
    if (secret === undefined || sso === undefined) {
      if (secret !== undefined) void reply.header('Set-Cookie', clearedSsoCookies(realm));
      return this.leave(reply, target);
    }
    if (!confirmed) {
      const fields: Record<string, string> = { confirmation: logoutConfirmation(secret) };
      for (const name of ['client_id', 'post_logout_redirect_uri', 'state']) {
        const value = text(name);
        if (value !== undefined) fields[name] = value;
      }
      return sendHtml(reply, 200, renderLogoutConfirmPage(`${realm.endpoints.endSession}/confirm`, fields));
    }
    if (!confirmsLogout(text('confirmation'), secret)) {
      this.logger.warn({ realm: realm.name }, 'logout refused: confirmation missing or not of this browser');
      return sendErrorPage(reply, INVALID_LOGOUT);
    }
    return this.endSso(realm, reply, sso.id, target, true, { by: 'user', ipAddress: request.ip });
  }

  /**
   * Ends SSO session `sso` and sends the browser on. SAML Profiles §4.4.3.1: when it came from an IdP
   * with a SingleLogoutService, to the IdP with a LogoutRequest (redirected, or posted by a
   * self-posting form to an IdP that offers only HTTP-POST), whose LogoutResponse brings the
   * browser back to `target`; otherwise {@link leave}. `clearCookies`: the browser's SSO cookies named
   * it, or none that is live.
   *
   * When the SAML worker pool has no room to sign the LogoutRequest, nothing has ended
   * (SingleLogoutService.endAtRp) and the person is told so: 503 with Retry-After (RFC 9110 §15.6.4,
   * §10.2.3), a page saying they are still logged in, their cookies kept, so that reloading it, the
   * same link or the confirmation posted again, logs them out here and at the IdP together. Not a
   * logged-out page with the IdP left out (their IdP session would go on while they believe
   * themselves logged out), nor a session ended without its LogoutRequest (a LOGOUT in the trail for
   * a logout that was only half done).
   */
  private async endSso(
    realm: Realm,
    reply: FastifyReply,
    sso: string,
    target: string | undefined,
    clearCookies: boolean,
    facts: LogoutFacts,
  ): Promise<FastifyReply> {
    let toIdp: LogoutReply | undefined;
    try {
      ({ toIdp } = await this.singleLogout.endAtRp(realm, sso, target ?? '', facts));
    } catch (error) {
      if (!(error instanceof SamlBusyError)) throw error;
      this.logger.warn({ realm: realm.name }, 'logout refused: SAML worker queue full, nothing ended');
      void reply.header('Retry-After', String(BUSY_RETRY_AFTER_SECONDS));
      return sendErrorPage(reply, LOGOUT_BUSY);
    }
    if (clearCookies) void reply.header('Set-Cookie', clearedSsoCookies(realm));
    return toIdp ? sendToIdp(reply, toIdp) : this.leave(reply, target);
  }

  /** Where the browser goes once the session here is over: `target`, or a logged-out page. */
  private leave(reply: FastifyReply, target: string | undefined): FastifyReply {
    return target ? sendRedirect(reply, target) : sendHtml(reply, 200, renderLoggedOutPage());
  }
}

/**
 * The parameters a logout reads (the others are ignored), each with the longest value taken. `state`
 * is echoed in the redirect (and kept with a SAML LogoutRequest until the IdP answers): bounded as at
 * the authorization endpoint, so that one anonymous request cannot make a `Location` header of
 * 200 KB, which a proxy's response buffer turns into a 502 after the session has ended.
 */
const LOGOUT_PARAMETER_MAX_LENGTH: Readonly<Record<string, number>> = {
  id_token_hint: MAX_ID_TOKEN_HINT_LENGTH,
  post_logout_redirect_uri: AUTHORIZATION_PARAMETER_MAX_LENGTH.redirect_uri,
  state: AUTHORIZATION_PARAMETER_MAX_LENGTH.state,
  client_id: AUTHORIZATION_PARAMETER_MAX_LENGTH.client_id,
  confirmation: 64,
};

/**
 * A request's parameters as text: a parameter that is not one non-empty string counts as absent.
 * Undefined when one the logout reads was sent more than once (RFC 6749 §3.1: parameters "MUST NOT
 * be included more than once"), rather than reading it as absent and, say, leaving `state` out; or is
 * longer than {@link LOGOUT_PARAMETER_MAX_LENGTH} allows, or holds a control character, as at `/auth`.
 */
function textParams(params: Record<string, unknown>): ((name: string) => string | undefined) | undefined {
  const malformed = Object.entries(LOGOUT_PARAMETER_MAX_LENGTH).some(
    ([name, maxLength]) => Array.isArray(params[name]) || isUnacceptableValue(params[name], maxLength),
  );
  if (malformed) return undefined;
  return (name) => (typeof params[name] === 'string' && params[name] !== '' ? (params[name] as string) : undefined);
}

/** A registered post_logout_redirect_uri, its query as registered, with the client's `state` (§3) if it sent one. */
function withState(redirect: string, state: string | undefined): string {
  return withQueryParams(redirect, state === undefined ? {} : { state });
}
