import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock.js';
import { digestsEqual, sha256 } from '../common/constant-time.js';
import { OAuthError } from '../protocol/oauth-error.js';
import type { Realm } from '../realms/realm.js';
import { assertionIssuer, ClientAssertionVerifier } from './client-assertion.verifier.js';
import { ClientRegistry } from './client.registry.js';
import type { PresentedCredentials } from './client-credentials.reader.js';
import { PreviousSecretUses } from './previous-secret-uses.js';
import type { ClientAuthMethod, RegisteredClient } from './registered-client.js';

/** Compared against when the client is unknown, so both paths cost one digest comparison. */
const UNKNOWN_CLIENT_DIGEST = sha256('unknown-client');

/**
 * Authenticates the client of a token-endpoint request by the one method it presents. Every
 * failure is `invalid_client` (RFC 6749 §5.2) with the specific reason kept for the log.
 */
@Injectable()
export class ClientAuthenticator {
  constructor(
    private readonly clients: ClientRegistry,
    private readonly assertions: ClientAssertionVerifier,
    private readonly previousSecretUses: PreviousSecretUses,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async authenticate(realm: Realm, credentials: PresentedCredentials): Promise<RegisteredClient> {
    switch (credentials.method) {
      case 'client_secret_basic':
      case 'client_secret_post': {
        const client = this.clients.find(realm.name, credentials.clientId);
        const presented = sha256(credentials.secret);
        const expected = client?.secretDigest ?? UNKNOWN_CLIENT_DIGEST;
        const matches = digestsEqual(presented, expected) || (client !== undefined && this.isPreviousSecret(client, presented));
        if (!matches || !client) {
          // An id that names no client is not written to the log: it may be a secret sent in its place.
          throw new OAuthError('invalid_client', client ? `wrong secret for client "${client.clientId}"` : 'unknown client');
        }
        return this.allowed(client, credentials.method);
      }
      case 'private_key_jwt':
        return this.assertions.verify(realm, credentials.assertion, credentials.clientId);
      case 'none': {
        const client = this.clients.find(realm.name, credentials.clientId);
        if (!client) throw new OAuthError('invalid_client', 'unknown client');
        return this.allowed(client, 'none');
      }
    }
  }

  /**
   * The registered client the credentials name, whether or not they authenticate it: whom a refused
   * authentication concerns, for the audit trail. An assertion names its client by its `iss`, unverified.
   */
  claimedClient(realm: Realm, credentials: PresentedCredentials): RegisteredClient | undefined {
    const clientId =
      credentials.method === 'private_key_jwt' ? (credentials.clientId ?? assertionIssuer(credentials.assertion)) : credentials.clientId;
    return typeof clientId === 'string' ? this.clients.find(realm.name, clientId) : undefined;
  }

  /** The secret being replaced, before its `until`: afterwards it is as wrong as any other. */
  private isPreviousSecret(client: RegisteredClient, presented: Buffer): boolean {
    const previous = client.previousSecret;
    if (!previous || !digestsEqual(presented, previous.digest)) return false;
    const now = this.clock.now().getTime();
    if (now >= previous.until) return false;
    this.previousSecretUses.record(client, now);
    return true;
  }

  private allowed(client: RegisteredClient, method: ClientAuthMethod): RegisteredClient {
    if (!client.authMethods.includes(method)) {
      throw new OAuthError('invalid_client', `client ${client.clientId} may not authenticate by ${method}`);
    }
    return client;
  }
}
