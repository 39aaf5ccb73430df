import { Controller, Get, Header, Logger, Param, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiForm } from '../protocol/openapi.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isRandomToken } from '../common/random.js';
import { RealmRegistry } from '../realms/realm.registry.js';
import { isLogoutResponse } from '../saml/logout-bindings.js';
import { SamlBusyError, SamlRejectedError, SamlRepostError, SamlService, SamlStatusError } from '../saml/saml.service.js';
import { OAuthError } from '../protocol/oauth-error.js';
import { sendErrorPage, sendLoginOutcome } from './html-reply.js';
import { LOGIN_EXPIRED, LoginCompletionService, OTHER_BROWSER } from './login-completion.service.js';
import { sendLogoutOutcome } from './logout-reply.js';
import type { ErrorPage } from './pages/error.page.js';
import { SingleLogoutService } from './single-logout.service.js';

const REJECTED: ErrorPage = { status: 400, key: 'saml_rejected' };

/** The login is still pending: the page says to reload, which posts the same Response again. */
const BUSY: ErrorPage = { status: 503, key: 'busy' };

/**
 * The SAML endpoints of a realm's IdP (Keycloak's broker paths): the assertion consumer service
 * (HTTP-POST binding, SAML Bindings §3.5), where single logout by HTTP-POST arrives too, and the SP
 * metadata (SAML Metadata §2.4.4).
 */
@ApiTags('SAML broker')
@Controller('realms/:realm/broker/:alias/endpoint')
export class AcsController {
  private readonly logger = new Logger('Acs');

  constructor(
    private readonly realms: RealmRegistry,
    private readonly saml: SamlService,
    private readonly completion: LoginCompletionService,
    private readonly logout: SingleLogoutService,
  ) {}

  @Post()
  @ApiOperation({ summary: 'SAML assertion consumer service and single logout (HTTP-POST binding, SAML Bindings §3.5)' })
  @ApiForm({
    SAMLResponse: 'base64: a Response to a pending login, or a LogoutResponse',
    SAMLRequest: 'base64: an IdP’s LogoutRequest',
    RelayState: 'as the SP sent it (a login), or the IdP’s (its LogoutRequest)',
  })
  @ApiResponse({ status: 303, description: 'Back to the client with `code` or `error`' })
  @ApiResponse({ status: 400, description: 'A page for the person' })
  async consume(
    @Param('realm') realmName: string,
    @Param('alias') alias: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    const realm = this.realms.get(realmName);
    const form = request.body && typeof request.body === 'object' ? (request.body as Record<string, unknown>) : {};
    // SAML single logout by HTTP-POST shares the endpoint (Keycloak's): a LogoutRequest, or a LogoutResponse to ours.
    if (Object.hasOwn(form, 'SAMLRequest') || isLogoutResponse(form.SAMLResponse)) {
      return sendLogoutOutcome(reply, realm, await this.logout.receive(realm, alias, { binding: 'post', form }, request));
    }
    // RelayState is the id of our login transaction (login-start.service.ts), a random token: a value
    // that cannot be one (a NUL, a control character, a repeated field) is refused before any query.
    const relayState = form.RelayState === undefined ? undefined : isRandomToken(form.RelayState) ? form.RelayState : null;
    if (relayState === null) {
      this.logger.warn({ realm: realm.name, idp: alias }, 'SAML response rejected: RelayState is not a login transaction id');
      return sendErrorPage(reply, REJECTED);
    }
    // Before the Response is looked at (and its request used up): is this the browser that started the
    // login? Another browser's post to a pending login is recorded (`different_browser`) and changes nothing.
    if (relayState !== undefined && !(await this.completion.fromStartingBrowser(realm, relayState, request))) {
      this.logger.warn({ realm: realm.name, idp: alias }, 'SAML response posted by another browser than the one that started the login');
      return sendErrorPage(reply, OTHER_BROWSER);
    }
    // The IdP's form posted twice (a double click, a browser's retry): once a Response for this login
    // was accepted, no other can be, and the post that was accepted completes the login and ends it.
    // Another is refused before any worker looks at it, and ends nothing (the page says it was done).
    if (relayState !== undefined && (await this.saml.answered(realm, relayState)))
      return this.answeredByAnotherPost(reply, realm.name, alias, 'its login was answered already');
    try {
      const login = await this.saml.consume(realm, alias, form);
      return sendLoginOutcome(reply, await this.completion.complete(realm, login.relayState, login, request));
    } catch (error) {
      if (error instanceof SamlStatusError) {
        return sendLoginOutcome(
          reply,
          await this.completion.abort(
            realm,
            error.relayState,
            `IdP status ${error.statusCode}${error.subStatus ? ` / ${error.subStatus}` : ''}`,
            request,
          ),
        );
      }
      if (error instanceof SamlBusyError) {
        // Shed before anything was looked at: the login stays pending, and this same post may be retried.
        this.logger.warn({ realm: realm.name, idp: alias }, 'SAML response shed: worker queue full');
        return sendErrorPage(reply, BUSY);
      }
      if (error instanceof SamlRepostError) {
        // The same Response, accepted for this login by a post that overlapped this one: it ends nothing.
        return this.answeredByAnotherPost(reply, realm.name, alias, error.reason);
      }
      if (error instanceof SamlRejectedError) {
        // A refused Response ends the login it names, as a replay finds it ended: one authorization
        // request buys one attempt, so a Response that is expensive to refuse cannot be posted again
        // and again (issue 15). Only the browser that started the login gets here with its RelayState.
        const transactionId = error.relayState ?? relayState;
        if (transactionId)
          return sendLoginOutcome(reply, await this.completion.abort(realm, transactionId, error.reason, request, error.error));
        this.logger.warn({ realm: realm.name, idp: alias, reason: error.reason }, 'SAML response rejected');
        return sendErrorPage(reply, REJECTED);
      }
      throw error;
    }
  }

  private answeredByAnotherPost(reply: FastifyReply, realm: string, idp: string, reason: string): FastifyReply {
    this.logger.warn({ realm, idp, reason }, 'SAML response refused: its login was answered by another post');
    return sendErrorPage(reply, LOGIN_EXPIRED);
  }

  @Get('descriptor')
  @ApiOperation({ summary: 'SAML SP metadata (SAML Metadata §2.4.4)' })
  @ApiProduces('application/samlmetadata+xml')
  @Header('Content-Type', 'application/samlmetadata+xml')
  descriptor(@Param('realm') realmName: string, @Param('alias') alias: string): string {
    const realm = this.realms.get(realmName);
    if (!realm.config.identityProviders.some((idp) => idp.alias === alias)) {
      throw new OAuthError('not_found', 'no such identity provider', { description: 'Not found.' });
    }
    return this.saml.metadata(realm, alias);
  }
}
