import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config/config.schema.js';
import { CONFIG } from '../../config/config.token.js';
import { rememberLocale } from './locale-cookie.js';
import { uiLocalesOf } from './page-context.js';
import { PageSettings } from './page-settings.js';

const AUTH_ROUTE = '/realms/:realm/protocol/openid-connect/auth';

/**
 * Gives every page the config it needs, wherever it is sent from (a controller, the error filter,
 * the rate limiter): the Fastify instance carries the {@link PageSettings}. And remembers the
 * language of a login at the authorization endpoint (locale-cookie.ts), before its handler runs,
 * so the pages after it speak it too.
 */
@Injectable()
export class LoginPagesSetup implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return;
    const settings = new PageSettings(this.config);
    fastify.decorate('loginPages', settings);
    fastify.addHook('preHandler', (request, reply, done) => {
      if (request.routeOptions.url === AUTH_ROUTE) rememberLocale(request, reply, settings, uiLocalesOf(request));
      done();
    });
  }
}
