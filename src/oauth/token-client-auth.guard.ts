import { Injectable, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ClientAuthGuard } from '../clients/client-auth.guard.js';
import { ClientAuthenticator } from '../clients/client-authenticator.js';
import { readPresentedCredentials } from '../clients/client-credentials.reader.js';
import { FormParams } from '../protocol/form-params.js';
import { OAuthError } from '../protocol/oauth-error.js';
import { RealmRegistry } from '../realms/realm.registry.js';
import { clientAuthRefusalReason } from './client-auth-refusal.js';
import { refusalEventOf } from './grants/refusal-events.js';
import { TokenRefusalAudit } from './token-refusal-audit.js';

/**
 * The token endpoint's client authentication ({@link ClientAuthGuard}), with a refusal (`invalid_client`,
 * RFC 6749 §5.2) recorded in the audit trail as the refusal of the grant asked for, under Keycloak's
 * reason codes: `invalid_client_credentials` when the request named a registered client (a wrong
 * secret, a bad assertion, a method the client may not use), `client_not_found` when it named none,
 * `invalid_client` when its credentials could not be read. So someone trying a client's secrets shows
 * in that client's trail, one by one up to the address's share and then in the address's summary
 * (its `clients` and `client_login_error` count). An id that names no registered client is not kept: it is an anonymous
 * caller's text. Introspection and revocation authenticate alike, but have no refusal event.
 *
 * Refusals are recorded one by one up to `limits.tokenRefusalAudit` per client address and in all per
 * window, the rest as a count ({@link TokenRefusalAudit}, shared with the grants' refusals): a flood of
 * wrong secrets must not fill the database. A request that authenticates passes through untouched.
 */
@Injectable()
export class TokenClientAuthGuard extends ClientAuthGuard {
  /** RFC 6749 §6: a public client's refresh needs no client_id (client-credentials.reader.ts). */
  protected override readonly refreshTokenNamesClient = true;

  constructor(
    authenticator: ClientAuthenticator,
    realms: RealmRegistry,
    private readonly refusals: TokenRefusalAudit,
  ) {
    super(authenticator, realms);
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    try {
      return await super.canActivate(context);
    } catch (error) {
      if (error instanceof OAuthError && error.code === 'invalid_client') {
        await this.recordRefusal(context.switchToHttp().getRequest<FastifyRequest>());
      }
      throw error;
    }
  }

  /** The request got as far as its client: its realm is known, and its form was read or refused already. */
  private async recordRefusal(request: FastifyRequest): Promise<void> {
    const realm = this.realms.get((request.params as { realm: string }).realm);
    const credentials = unlessRefused(() => readPresentedCredentials(request, { refreshTokenNamesClient: this.refreshTokenNamesClient }));
    const client = credentials && this.authenticator.claimedClient(realm, credentials);
    const reason = clientAuthRefusalReason(credentials, client);
    await this.refusals.failed(
      {
        realm: realm.name,
        type: refusalEventOf(unlessRefused(() => FormParams.fromRequest(request).get('grant_type'))),
        clientId: client?.clientId,
        ipAddress: request.ip,
        details: { client_auth_method: credentials?.method },
      },
      reason,
    );
  }
}

function unlessRefused<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
