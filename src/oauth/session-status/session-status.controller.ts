import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ClientRegistry } from '../../clients/client.registry.js';
import { clientWebOrigins, realmWebOrigins } from '../../clients/web-origins.js';
import { RealmRegistry } from '../../realms/realm.registry.js';
import type { Realm } from '../../realms/realm.js';
import { LOGIN_STATUS_IFRAME, THIRD_PARTY_COOKIES_STEP1, THIRD_PARTY_COOKIES_STEP2, type ScriptPage } from './session-status.pages.js';

/**
 * What keycloak-js frames from the realm at `init()` and while an app runs (Keycloak's paths): the
 * third-party cookie check and the login-status iframe (OpenID Connect Session Management 1.0 §3.2).
 * Only these pages may be framed, and only by the web origins the realm's clients registered
 * (`frame-ancestors`, CSP3; Keycloak's "Web origins"); every other page keeps refusing frames. An
 * unknown realm, which has no web origins, gets the 404 error page, which refuses every frame too.
 */
@Controller('realms/:realm/protocol/openid-connect')
export class SessionStatusController {
  constructor(
    private readonly realms: RealmRegistry,
    private readonly clients: ClientRegistry,
  ) {}

  @Get('3p-cookies/step1.html')
  step1(@Param('realm') realm: string, @Res() reply: FastifyReply): FastifyReply {
    return sendFramable(reply, this.realms.get(realm), THIRD_PARTY_COOKIES_STEP1);
  }

  @Get('3p-cookies/step2.html')
  step2(@Param('realm') realm: string, @Res() reply: FastifyReply): FastifyReply {
    return sendFramable(reply, this.realms.get(realm), THIRD_PARTY_COOKIES_STEP2);
  }

  @Get('login-status-iframe.html')
  loginStatus(@Param('realm') realm: string, @Res() reply: FastifyReply): FastifyReply {
    return sendFramable(reply, this.realms.get(realm), LOGIN_STATUS_IFRAME, "connect-src 'self'");
  }

  /**
   * The iframe asks once per app whether `client_id` registered the `origin` it was framed by: 204 if
   * so, 403 otherwise (Keycloak answers the same way), so a page of another origin learns nothing.
   */
  @Get('login-status-iframe.html/init')
  init(@Param('realm') realmName: string, @Query() query: Record<string, unknown>, @Res() reply: FastifyReply): FastifyReply {
    const realm = this.realms.get(realmName);
    const client = typeof query.client_id === 'string' ? this.clients.find(realm.name, query.client_id) : undefined;
    const allowed = client !== undefined && typeof query.origin === 'string' && clientWebOrigins(client.config).includes(query.origin);
    return reply
      .status(allowed ? 204 : 403)
      .header('Cache-Control', 'no-store')
      .send();
  }
}

/** A page framable only by the realm's web origins, running only its own script. */
function sendFramable(reply: FastifyReply, realm: Realm, page: ScriptPage, extra?: string): FastifyReply {
  const origins = [...realmWebOrigins(realm.config)];
  const directives = ["default-src 'none'", `script-src ${page.scriptSrc}`, ...(extra ? [extra] : [])];
  directives.push(`frame-ancestors ${origins.length > 0 ? origins.join(' ') : "'none'"}`);
  return reply
    .status(200)
    .header('Content-Type', 'text/html; charset=utf-8')
    .header('Cache-Control', 'no-store')
    .header('Content-Security-Policy', directives.join('; '))
    .send(page.html);
}
