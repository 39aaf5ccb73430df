import { Controller, Get, Inject, Logger, Param, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiForm } from '../protocol/openapi.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ClientRegistry } from '../clients/client.registry.js';
import { CLOCK, type Clock } from '../common/clock.js';
import { FhirGateways } from '../fhir/fhir-gateways.js';
import { checkAuthorizationRequest } from './authorization-request.js';
import { MAX_ID_TOKEN_HINT_LENGTH } from './authorization-request-limits.js';
import { ChangesState } from '../protocol/changes-state.js';
import { authorizationResponse, RESPONSE_MODES } from '../protocol/authorization-response.js';
import { scopesForTheLog } from '../protocol/scope.js';
import type { Realm } from '../realms/realm.js';
import { RealmRegistry } from '../realms/realm.registry.js';
import { undefinedIfTokenError } from '../tokens/token-errors.js';
import { TokenVerifier } from '../tokens/token-verifier.js';
import { setBindingCookie } from '../login/browser-binding.js';
import { sendAuthorizationResponse, sendErrorPage, sendHtml, sendRedirect } from '../login/html-reply.js';
import { LoginStartService } from '../login/login-start.service.js';
import { renderChooserPage } from '../login/pages/chooser.page.js';
import { SsoLoginService } from '../login/sso-login.service.js';

/**
 * The authorization endpoint (OIDC Core §3.1.2), GET or form POST. Until the client and its
 * redirect URI are established, errors are shown to the person; afterwards they go back to the
 * client with `state` and `iss` (RFC 9207). A browser with a live SSO session in the realm gets its
 * code at once (sso-login.service.ts), unless the request asks for a new authentication; with
 * `prompt=none` and no such session, `login_required` goes back to the client.
 */
@ApiTags('OpenID Connect')
@Controller('realms/:realm/protocol/openid-connect')
export class AuthorizeController {
  private readonly logger = new Logger('Authorize');

  constructor(
    private readonly realms: RealmRegistry,
    private readonly clients: ClientRegistry,
    private readonly logins: LoginStartService,
    private readonly fhir: FhirGateways,
    private readonly sso: SsoLoginService,
    private readonly verifier: TokenVerifier,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('auth')
  @ChangesState()
  @ApiOperation({ summary: 'Authorization endpoint (OIDC Core §3.1.2): code flow with PKCE S256; ui_locales chooses the pages’ language' })
  @ApiResponse({ status: 303, description: 'To the IdP, or back to the client with `code` or `error`, `state`, `iss`' })
  @ApiResponse({ status: 200, description: 'The IdP chooser, or a form_post response (HTML)' })
  @ApiResponse({ status: 400, description: 'A page for the person: the request names no valid client or redirect URI' })
  authorizeByGet(@Param('realm') realm: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    return this.authorize(realm, request.query, request, reply);
  }

  @Post('auth')
  @ApiOperation({ summary: 'Authorization endpoint by form POST (OIDC Core §3.1.2.1)' })
  @ApiForm(
    {
      client_id: 'the client',
      redirect_uri: 'a redirect URI registered for it',
      response_type: { type: 'string', enum: ['code'] },
      scope: 'space-separated scopes (openid, profile, fhirUser, launch/patient, patient/…, user/…)',
      state: 'returned as is',
      nonce: 'put in the ID token',
      code_challenge: 'PKCE (RFC 7636): the S256 challenge',
      code_challenge_method: { type: 'string', enum: ['S256'] },
      response_mode: { type: 'string', enum: [...RESPONSE_MODES] },
      prompt: 'none, login, select_account, consent (OIDC Core §3.1.2.1)',
      max_age: 'seconds since the authentication at most',
      id_token_hint: 'an ID token naming the person expected',
      ui_locales: 'the pages’ language (en, da, nl)',
      kc_idp_hint: 'the IdP alias to go to (also as idp_hint)',
      idp_hint: 'as kc_idp_hint',
      aud: 'SMART: the FHIR server the token is for',
    },
    ['client_id', 'redirect_uri', 'response_type'],
  )
  @ApiResponse({ status: 303, description: 'As GET' })
  authorizeByPost(@Param('realm') realm: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    return this.authorize(realm, request.body, request, reply);
  }

  private async authorize(realmName: string, input: unknown, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const realm = this.realms.get(realmName);
    const params = new Map<string, string | string[]>(
      Object.entries(input && typeof input === 'object' ? input : {}).filter(
        (e): e is [string, string | string[]] => typeof e[1] === 'string' || Array.isArray(e[1]),
      ),
    );
    const hinted = await this.hintedSubject(realm, params.get('id_token_hint'));
    const browserSso = await this.sso.browserSession(realm, request);
    // The browser's SSO session answers a hint only if it is the hinted person's.
    const ssoSession = hinted === NO_HINT || browserSso?.user_id === hinted ? browserSso : undefined;
    const check = checkAuthorizationRequest(realm, this.clients, params, {
      fhirBaseUrl: this.fhir.forRealm(realm.name).baseUrl,
      ssoSession,
      now: this.clock.now(),
    });
    if (!check.ok) {
      this.logger.warn({ realm: realm.name, reason: check.reason }, 'authorization request refused');
      if (check.page) {
        return sendErrorPage(reply, { status: 400, key: 'invalid_login_link' });
      }
      return sendAuthorizationResponse(
        reply,
        authorizationResponse(check.responseMode, check.redirectUri, realm.issuer, { error: check.error, state: check.state }),
      );
    }
    if (check.ignoredScopes.length > 0) {
      // Not an error (OIDC Core §3.1.2.1); logged so an operator can see why a client got less than it asked for.
      this.logger.log(
        { realm: realm.name, client: check.request.client.clientId, ignored: scopesForTheLog(check.ignoredScopes) },
        'scope values not granted',
      );
    }
    const loginRequest = typeof hinted === 'string' ? { ...check.request, hintSubject: hinted } : check.request;
    const fromSso = await this.sso.answer(realm, ssoSession, loginRequest, request);
    if (fromSso) return sendAuthorizationResponse(reply, fromSso);
    if (this.logins.loginAliases(realm).length === 0) {
      // No IdP, and no mocked users (none in production): a chooser would be empty and the login would
      // never end. RFC 6749 §4.1.2.1 server_error goes back to the client; the operator reads why here.
      this.logger.error(
        { realm: realm.name, client: check.request.client.clientId },
        'authorization refused: the realm offers no way to log in',
      );
      const { responseMode, redirectUri, state } = check.request;
      return sendAuthorizationResponse(
        reply,
        authorizationResponse(responseMode, redirectUri, realm.issuer, { error: 'server_error', state }),
      );
    }
    const start = await this.logins.start(realm, loginRequest);
    setBindingCookie(reply, realm, start.transactionId, start.browserBinding, request.headers.cookie);
    return start.kind === 'redirect' ? sendRedirect(reply, start.url) : sendHtml(reply, 200, renderChooserPage(start.options));
  }

  /**
   * OIDC Core §3.1.2.1 `id_token_hint`: the client expects the person its ID token names (an expired
   * one still names them): its `sub`. The browser's SSO session answers only if it is theirs; someone
   * else's, or a hint this realm did not sign ({@link UNVERIFIED_HINT}), is no answer: `prompt=none`
   * then gets `login_required`, otherwise the person logs in at the IdP, and a login there completes
   * only for the hinted person (login-completion.service.ts). A hint longer than any ID token here is
   * not even verified.
   */
  private async hintedSubject(
    realm: Realm,
    hint: string | string[] | undefined,
  ): Promise<string | typeof NO_HINT | typeof UNVERIFIED_HINT> {
    if (hint === undefined || hint === '') return NO_HINT;
    if (typeof hint !== 'string' || hint.length > MAX_ID_TOKEN_HINT_LENGTH) return UNVERIFIED_HINT;
    const claims = await this.verifier.verify(realm, hint, 'JWT', { allowExpired: true }).catch(undefinedIfTokenError);
    return typeof claims?.sub === 'string' ? claims.sub : UNVERIFIED_HINT;
  }
}

const NO_HINT = Symbol('no id_token_hint');
/** A hint this realm did not sign, or one too long to be an ID token of it: no SSO session answers it, and no person is bound by it. */
const UNVERIFIED_HINT = Symbol('an id_token_hint that does not verify');
