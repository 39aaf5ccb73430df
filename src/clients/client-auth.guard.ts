import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Realm } from '../realms/realm.js';
import { RealmRegistry } from '../realms/realm.registry.js';
import { ClientAuthenticator } from './client-authenticator.js';
import { readPresentedCredentials } from './client-credentials.reader.js';
import type { RegisteredClient } from './registered-client.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The realm of the request, resolved once by {@link ClientAuthGuard}. */
    oauthRealm?: Realm;
    /** The client authenticated by {@link ClientAuthGuard}. */
    oauthClient?: RegisteredClient;
  }
}

/**
 * Authenticates the client of a token, introspection or revocation request: the realm is resolved
 * once (an unknown realm is a 404 before anything else is looked at), the credentials are read once
 * (exactly one method, RFC 6749 §2.3), and the client is authenticated once by that method. The
 * controllers behind it read `request.oauthRealm` and `request.oauthClient`.
 *
 * Not a passport strategy chain: with one method per request there is nothing to chain, and passport's
 * per-strategy round trip was the largest framework cost on the token endpoint.
 */
@Injectable()
export class ClientAuthGuard implements CanActivate {
  /** Whether a refresh that identifies no client is its refresh token's client's: at the token endpoint only. */
  protected readonly refreshTokenNamesClient: boolean = false;

  constructor(
    protected readonly authenticator: ClientAuthenticator,
    protected readonly realms: RealmRegistry,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const realm = this.realms.get((request.params as { realm: string }).realm);
    const credentials = readPresentedCredentials(request, { refreshTokenNamesClient: this.refreshTokenNamesClient });
    request.oauthClient = await this.authenticator.authenticate(realm, credentials);
    request.oauthRealm = realm;
    return true;
  }
}
