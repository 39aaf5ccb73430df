import { Controller, Get, Inject, Logger, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiForm } from '../protocol/openapi.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CONFIG } from '../config/config.token.js';
import type { Config } from '../config/config.schema.js';
import { isRandomToken } from '../common/random.js';
import { ChangesState } from '../protocol/changes-state.js';
import { RealmRegistry } from '../realms/realm.registry.js';
import { sendErrorPage, sendHtml, sendLoginOutcome, sendRedirect } from './html-reply.js';
import { MOCK_ALIAS } from './idp-redirector.js';
import { LOGIN_EXPIRED, LoginCompletionService } from './login-completion.service.js';
import { LoginStartService } from './login-start.service.js';
import { meetsMinimumLoa, mockPrincipal } from './mock-principal.js';
import type { ErrorPage } from './pages/error.page.js';
import { renderMockLoginPage } from './pages/mock-login.page.js';

const UNKNOWN_USER: ErrorPage = { status: 400, key: 'unknown_user' };
/** Only the mock login page takes a form; a browser posting to another IdP's is shown a page, not an empty 404. */
const NO_FORM_HERE: ErrorPage = { status: 404, key: 'not_found' };

/**
 * `/realms/{realm}/broker/{alias}/login`: continues a pending login at the chosen IdP; for the
 * `mock` alias (never in production) it is the mock login page that stands in for the IdP.
 */
@ApiTags('SAML broker')
@Controller('realms/:realm/broker/:alias')
export class BrokerController {
  private readonly logger = new Logger('Broker');

  constructor(
    private readonly realms: RealmRegistry,
    private readonly logins: LoginStartService,
    private readonly completion: LoginCompletionService,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  @Get('login')
  @ChangesState()
  @ApiOperation({ summary: 'Continue a pending login at this IdP; `mock`: the mocked-user page (non-production)' })
  @ApiResponse({ status: 303, description: 'To the IdP with a signed AuthnRequest' })
  async login(
    @Param('realm') realmName: string,
    @Param('alias') alias: string,
    @Query('tx') tx: unknown,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    const realm = this.realms.get(realmName);
    // `tx` is a login transaction id (a random token): anything else names no login, and never reaches a query.
    if (!isRandomToken(tx)) return sendErrorPage(reply, LOGIN_EXPIRED);
    if (alias === MOCK_ALIAS && this.mockUsersAllowed(realm.config.mockUsers.length)) {
      if (!(await this.logins.continueAt(realm, alias, tx))) return sendErrorPage(reply, LOGIN_EXPIRED);
      return sendHtml(reply, 200, renderMockLoginPage(`${realm.issuer}/broker/${MOCK_ALIAS}/login`, tx, realm.config.mockUsers));
    }
    const url = await this.logins.continueAt(realm, alias, tx);
    return url ? sendRedirect(reply, url) : sendErrorPage(reply, LOGIN_EXPIRED);
  }

  @Post('login')
  @ApiOperation({ summary: 'The mocked-user form (non-production)' })
  @ApiForm({ tx: 'the pending login, as the page holds it', username: 'the mocked user chosen' }, ['tx', 'username'])
  @ApiResponse({ status: 303, description: 'Back to the client’s redirect_uri with the code, or on to the next step of the login' })
  async mockLogin(
    @Param('realm') realmName: string,
    @Param('alias') alias: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    const realm = this.realms.get(realmName);
    if (alias !== MOCK_ALIAS || !this.mockUsersAllowed(realm.config.mockUsers.length)) return sendErrorPage(reply, NO_FORM_HERE);
    const form = (request.body ?? {}) as Record<string, unknown>;
    const user = realm.config.mockUsers.find((u) => u.username === form.username);
    if (!isRandomToken(form.tx)) return sendErrorPage(reply, LOGIN_EXPIRED);
    if (!user) return sendErrorPage(reply, UNKNOWN_USER);
    if (!meetsMinimumLoa(realm, user)) {
      this.logger.warn({ realm: realm.name }, 'mocked login refused: level of assurance too low');
      return sendErrorPage(reply, { status: 403, key: 'loa_too_low' });
    }
    return sendLoginOutcome(reply, await this.completion.complete(realm, form.tx, { principal: mockPrincipal(realm, user) }, request));
  }

  /** Mocked users never exist in production, whatever the config says (the schema refuses them too). */
  private mockUsersAllowed(count: number): boolean {
    return this.config.environment !== 'production' && count > 0;
  }
}
