import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, epochSeconds, type Clock } from '../common/clock.js';
import type { RegisteredClient } from '../clients/registered-client.js';
import type { Realm } from '../realms/realm.js';
import type { SessionRow } from '../storage/session.repository.js';
import type { Identifier } from '../identity/principal.js';
import type { UserType } from '../identity/user-type.js';
import type { AccessTokenClaims } from './access-token.claims.js';
import { nationalIdentifierClaim } from './national-identifier-claim.js';
import { TokenSigner, type PinnedSigningKeys } from './token-signer.js';
import { sessionClaims } from './user-claims.js';
import { formatScope } from '../protocol/scope.js';

export interface AccessTokenRequest {
  realm: Realm;
  client: RegisteredClient;
  subject: string;
  userType: UserType;
  scopes: readonly string[];
  organisationAgb?: string;
  roles?: readonly string[];
  /** A user's session: adds `sid`, `auth_time`, `acr`, `user_id`, `fhirUser`, `patient`, `context`, roles. */
  session?: SessionRow;
  /** Overrides the client's audience (token exchange targets, RFC 8693 §2.1). */
  audience?: string[];
  /** Claims carried over from elsewhere (a subject token's user claims, `act`). */
  claims?: Partial<AccessTokenClaims>;
  /** The citizen's CPR/BSN, handed over by the grant only for a client configured to receive it. */
  nationalIdentifier?: Identifier;
  /** Latest `exp` allowed (epoch seconds): a token never outlives what it derives from. */
  notAfter?: number;
  /** Keys read before the change this token is owed for (TokenSigner.pin). */
  signingKeys?: PinnedSigningKeys;
}

export interface IssuedAccessToken {
  token: string;
  expiresIn: number;
  claims: AccessTokenClaims;
}

/** Mints RFC 9068 access tokens; every grant comes here, nothing else signs an access token. */
@Injectable()
export class AccessTokenIssuer {
  constructor(
    private readonly signer: TokenSigner,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async issue(request: AccessTokenRequest): Promise<IssuedAccessToken> {
    const { realm, client } = request;
    const iat = epochSeconds(this.clock);
    const expiresIn = Math.min(realm.config.accessTokenTtl, (request.notAfter ?? Infinity) - iat);
    const audiences = request.audience ?? client.config.audience ?? [realm.config.defaultAudience ?? realm.issuer];
    const claims: AccessTokenClaims = {
      iss: realm.issuer,
      sub: request.subject,
      aud: audiences.length === 1 ? audiences[0]! : audiences,
      exp: iat + expiresIn,
      iat,
      jti: randomUUID(),
      client_id: client.clientId,
      // As Keycloak's own access tokens: resource servers on Keycloak's adapters check `typ` (keycloak-connect's
      // validateToken, Keycloak's TokenVerifier) and read `azp` (OIDC Core §2); RFC 9068's `at+jwt` is the header's.
      typ: 'Bearer',
      azp: client.clientId,
      user_type: request.userType,
      ...(request.session ? sessionClaims(request.session) : {}),
      ...request.claims,
      ...nationalIdentifierClaim(request.nationalIdentifier),
    };
    if (request.scopes.length > 0) claims.scope = formatScope(request.scopes);
    if (request.organisationAgb !== undefined) claims.organisation_agb = request.organisationAgb;
    if (request.roles && request.roles.length > 0) claims.realm_access = { roles: [...request.roles] };
    return { token: await this.signer.sign(realm, claims, 'at+jwt', undefined, request.signingKeys), expiresIn, claims };
  }
}
