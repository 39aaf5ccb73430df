import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import passport from 'passport';
import { OAuthError } from '../protocol/oauth-error.js';
import { RealmRegistry } from '../realms/realm.registry.js';
import { clientAuthStrategy } from './client-auth.strategy.js';
import { ClientAuthenticator } from './client-authenticator.js';
import type { RegisteredClient } from './registered-client.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The client authenticated by {@link ClientAuthGuard}. */
    oauthClient?: RegisteredClient;
  }
}

/**
 * Authenticates the client of a token, introspection or revocation request through passport.
 * Strategy instances belong to this guard (not passport's global registry), so two applications
 * in one process never share them.
 */
@Injectable()
export class ClientAuthGuard implements CanActivate {
  private readonly strategies: passport.Strategy[];

  constructor(
    authenticator: ClientAuthenticator,
    private readonly realms: RealmRegistry,
  ) {
    this.strategies = (['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'] as const).map((method) =>
      clientAuthStrategy(method, authenticator),
    );
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    // An unknown realm is a 404 before anything else is looked at.
    this.realms.get((request.params as { realm: string }).realm);
    request.oauthClient = await new Promise<RegisteredClient>((resolve, reject) => {
      // passport accepts strategy instances (its typings only name strings), but then binds this
      // request's success/fail/error callbacks onto the instance itself: without a fresh object per
      // request, concurrent requests would answer each other's callbacks and hang.
      const perRequest = this.strategies.map((strategy) => Object.create(strategy) as passport.Strategy);
      const authenticate = passport.authenticate(
        perRequest as unknown as string[],
        { session: false },
        (error: unknown, client: RegisteredClient | false) => {
          if (error) reject(error);
          else if (client) resolve(client);
          else reject(new OAuthError('invalid_client', 'no client authentication method matched'));
        },
      ) as (req: unknown, res: unknown, next: (error?: unknown) => void) => void;
      authenticate(request, reply, reject);
    });
    return true;
  }
}
