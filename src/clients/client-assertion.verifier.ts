import { Inject, Injectable } from '@nestjs/common';
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { CLOCK, type Clock } from '../common/clock.js';
import { hasControlCharacter } from '../common/control-characters.js';
import { OAuthError } from '../protocol/oauth-error.js';
import type { Realm } from '../realms/realm.js';
import { ClientAssertionJtiRepository } from '../storage/client-assertion-jti.repository.js';
import { ClientRegistry } from './client.registry.js';
import type { RegisteredClient } from './registered-client.js';

export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/**
 * Asymmetric algorithms only: `none` and HMAC (which would need a shared secret) are refused.
 * Discovery lists these as `token_endpoint_auth_signing_alg_values_supported` (RFC 8414 §2).
 */
export const ASSERTION_ALGORITHMS: readonly string[] = ['ES256', 'ES384', 'PS256', 'PS384', 'RS256', 'RS384', 'EdDSA', 'Ed25519'];
/** RFC 7523 §3 item 4 asks for a short-lived assertion; longer-lived ones are refused. */
export const MAX_ASSERTION_LIFETIME_S = 300;
const CLOCK_TOLERANCE_S = 30;
const MAX_JTI_LENGTH = 256;

/**
 * `private_key_jwt` client authentication (OIDC Core §9, RFC 7523 §2.2 and §3): `iss` and `sub`
 * are the client id, `aud` names this realm's issuer or token endpoint, `exp` is near, `iat` (if
 * any) is not in the future, the signature verifies with a key the client registered, and the `jti`
 * is used only once.
 */
@Injectable()
export class ClientAssertionVerifier {
  constructor(
    private readonly clients: ClientRegistry,
    private readonly jtis: ClientAssertionJtiRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async verify(realm: Realm, assertion: string, claimedClientId: string | undefined): Promise<RegisteredClient> {
    const client = this.clientOf(realm, assertion);
    if (claimedClientId !== undefined && claimedClientId !== client.clientId) {
      throw new OAuthError('invalid_client', 'client_id differs from the assertion issuer');
    }
    if (!client.jwks) throw new OAuthError('invalid_client', `client ${client.clientId} has no registered keys`);
    // SMART App Launch 2.2, client-confidential-asymmetric: a `jku` header must match the JWK Set
    // URL the client registered, or verification fails. Clients register their keys here, never a
    // URL, so no `jku` can match.
    if (namesKeyUrl(assertion))
      throw new OAuthError('invalid_client', 'client assertion names a jku; the client registered keys, not a URL');
    const now = this.clock.now();
    const { payload } = await jwtVerify(assertion, client.jwks, {
      algorithms: [...ASSERTION_ALGORITHMS],
      issuer: client.clientId,
      subject: client.clientId,
      audience: [realm.issuer, realm.endpoints.token],
      currentDate: now,
      clockTolerance: CLOCK_TOLERANCE_S,
      requiredClaims: ['exp', 'jti'],
    }).catch((error: unknown) => {
      throw new OAuthError('invalid_client', `client assertion rejected: ${(error as Error).message}`);
    });
    const nowSeconds = Math.floor(now.getTime() / 1000);
    if (payload.exp! > nowSeconds + MAX_ASSERTION_LIFETIME_S + CLOCK_TOLERANCE_S) {
      throw new OAuthError('invalid_client', 'client assertion lives too long');
    }
    // RFC 7519 §4.1.6: `iat` is when the JWT was issued. One from the future (beyond the clock
    // tolerance) was made in advance or by a clock that is wrong; jose checks it only with
    // maxTokenAge, which would make `iat` required, and RFC 7523 §3 leaves it optional.
    if (payload.iat !== undefined && payload.iat > nowSeconds + CLOCK_TOLERANCE_S) {
      throw new OAuthError('invalid_client', 'client assertion issued in the future');
    }
    // The jti is stored to refuse its replay: a value no client needs (control characters, or longer
    // than any UUID or random id) is refused before it reaches the database.
    if (typeof payload.jti !== 'string' || payload.jti.length > MAX_JTI_LENGTH || hasControlCharacter(payload.jti)) {
      throw new OAuthError('invalid_client', 'client assertion jti is not a short printable string');
    }
    if (!(await this.jtis.consume(realm.name, client.clientId, payload.jti!, new Date((payload.exp! + CLOCK_TOLERANCE_S) * 1000)))) {
      throw new OAuthError('invalid_client', 'client assertion jti replayed');
    }
    return client;
  }

  private clientOf(realm: Realm, assertion: string): RegisteredClient {
    const issuer = assertionIssuer(assertion);
    if (issuer === null) throw new OAuthError('invalid_client', 'client assertion is not a JWT');
    const client = issuer !== undefined ? this.clients.find(realm.name, issuer) : undefined;
    if (!client || !client.authMethods.includes('private_key_jwt')) {
      throw new OAuthError('invalid_client', 'client assertion from an unknown client or one without keys');
    }
    return client;
  }
}

/** Whether the header names a `jku`; a header that does not decode is left to jwtVerify to refuse. */
function namesKeyUrl(assertion: string): boolean {
  try {
    return decodeProtectedHeader(assertion).jku !== undefined;
  } catch {
    return false;
  }
}

/** The client an assertion says it is from (`iss`), unverified; `null` when it is not a JWT at all. */
export function assertionIssuer(assertion: string): string | undefined | null {
  try {
    const { iss } = decodeJwt(assertion);
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    return null;
  }
}
