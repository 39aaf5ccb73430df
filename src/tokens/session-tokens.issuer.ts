import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { RegisteredClient } from '../clients/registered-client.js';
import { CLOCK, epochSeconds, type Clock } from '../common/clock.js';
import type { TokenResponse } from '../protocol/token-response.js';
import { idTokenAlgorithm, type Realm } from '../realms/realm.js';
import { sessionEndsAt, type SessionRow } from '../storage/session.repository.js';
import { AccessTokenIssuer, type IssuedAccessToken } from './access-token.issuer.js';
import { accessTokenHash } from './token-hash.js';
import type { Identifier } from '../identity/principal.js';
import { RefreshTokenMac } from './refresh-token-mac.js';
import { TokenSigner, type PinnedSigningKeys } from './token-signer.js';
import { fhirLogicalId, launchPatient } from './user-claims.js';
import { formatScope } from '../protocol/scope.js';
import { scopesTheSubjectBears } from '../protocol/smart-scope.js';

export interface SessionTokenRequest {
  realm: Realm;
  client: RegisteredClient;
  session: SessionRow;
  /** The scope of the tokens issued now (a refresh may narrow it). */
  scopes: string[];
  /**
   * The refresh token's scope when it is wider than `scopes`: RFC 6749 §6, a new refresh token's scope
   * "MUST be identical to that of the refresh token included by the client"; `scopes` by default.
   */
  refreshScopes?: string[];
  /** The authorization request's nonce (OIDC Core §3.1.2.1), echoed in the ID token. */
  nonce?: string;
  /** The refresh token id to issue (the caller made it the session's current one); none: no refresh token. */
  refreshJti?: string;
  /** The citizen's CPR/BSN, handed over by the grant only for a client configured to receive it. */
  nationalIdentifier?: Identifier;
  /** The keys {@link SessionTokensIssuer.signingKeys} read before the change these tokens are owed for. */
  signingKeys?: PinnedSigningKeys;
}

/**
 * ID, access and refresh tokens for a user's session. The refresh token is a MACed JWT (refresh-token-mac.ts) bound to
 * the session (`sid`) and its place in the rotation chain (`jti`); it expires at the earlier of the
 * session's idle and absolute ends, which `refresh_expires_in` states. No token outlives that end:
 * the access and ID tokens expire there too when it comes before `accessTokenTtl` is up.
 */
@Injectable()
export class SessionTokensIssuer {
  constructor(
    private readonly accessTokens: AccessTokenIssuer,
    private readonly signer: TokenSigner,
    private readonly refreshMac: RefreshTokenMac,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * The keys {@link issue} signs `client`'s tokens with, read now: a grant reads them before it commits
   * the change the tokens are owed for (a rotation, a code's redemption), so a database that fails the
   * read fails the request with nothing changed. Signing after that commit needs no database: the
   * client's retry is not taken for a reuse of its refresh token or code.
   */
  signingKeys(realm: Realm, client: RegisteredClient): Promise<PinnedSigningKeys> {
    return this.signer.pin(realm, [realm.config.signingAlg, idTokenAlgorithm(realm, client.clientId)]);
  }

  async issue(request: SessionTokenRequest): Promise<TokenResponse> {
    const { realm, client, session, nonce, refreshJti, nationalIdentifier, signingKeys } = request;
    const patient = launchPatient(session);
    // SMART App Launch 2.x §"Scopes and launch context": a patient-level scope only beside a `patient`.
    // A clinician holds theirs (the refresh token keeps the grant) but uses them only once they have
    // chosen a patient (contexts/); until then, and after a lapse takes it away, no token names them.
    const scopes = scopesTheSubjectBears(request.scopes, { person: true, hasPatient: patient !== undefined });
    // The session ends here unless a refresh moves its idle end, and that refresh issues new tokens.
    // Introspection calls a token of an ended session inactive; a resource server reading only `exp`
    // must agree, so no token of it expires later (as token exchange caps at the subject's session).
    const sessionEnd = sessionEndsAt(session);
    const access = await this.accessTokens.issue({
      realm,
      client,
      subject: session.user_id,
      userType: session.user_type,
      scopes,
      session,
      audience: session.delegation?.audience,
      nationalIdentifier,
      notAfter: sessionEnd,
      signingKeys,
    });
    const now = epochSeconds(this.clock);
    const refreshToken =
      refreshJti === undefined
        ? undefined
        : this.refreshMac.sign(realm, {
            iss: realm.issuer,
            sub: session.user_id,
            aud: realm.issuer,
            iat: now,
            exp: sessionEnd,
            jti: refreshJti,
            sid: session.id,
            client_id: client.clientId,
            scope: formatScope(request.refreshScopes ?? request.scopes),
            ...(access.claims.patient ? { patient: access.claims.patient } : {}),
            ...(access.claims.context ? { context: access.claims.context } : {}),
            // So a refresh by a client that may no longer act for it is refused before anything changes.
            ...(session.tenant ? { organisation_agb: session.tenant } : {}),
          });
    const response: TokenResponse = {
      access_token: access.token,
      token_type: 'Bearer',
      expires_in: access.expiresIn,
      ...(refreshToken ? { refresh_token: refreshToken, refresh_expires_in: sessionEnd - now } : {}),
      scope: formatScope(scopes),
    };
    // SMART App Launch 2.x §"Launch context": beside the tokens, the patient the app works with. A
    // delegated session is not an app's launch (RFC 8693 answers carry only the issued token).
    if (patient !== undefined && !session.delegation) response.patient = patient;
    // An exchanged (delegated) session is not a login of its client: no ID token (OIDC Core §2).
    if (scopes.includes('openid') && !session.delegation)
      response.id_token = await this.idToken(realm, client, session, scopes, access, nonce, signingKeys);
    return response;
  }

  /**
   * OIDC Core §2 and §3.1.3.6: audience is the client; `at_hash` binds the access token, whose `exp`
   * (capped at the session's end) it shares. Signed in the client's algorithm (idTokenAlgorithm), whose
   * hash `at_hash` takes (§3.1.3.6).
   */
  private async idToken(
    realm: Realm,
    client: RegisteredClient,
    session: SessionRow,
    scopes: string[],
    access: IssuedAccessToken,
    nonce?: string,
    signingKeys?: PinnedSigningKeys,
  ): Promise<string> {
    const { fhirUser } = access.claims;
    const now = epochSeconds(this.clock);
    const alg = idTokenAlgorithm(realm, client.clientId);
    const { given, family, text } = session.profile;
    const claims: Record<string, unknown> = {
      iss: realm.issuer,
      sub: session.user_id,
      aud: client.clientId,
      azp: client.clientId,
      iat: now,
      exp: access.claims.exp,
      jti: randomUUID(),
      auth_time: Math.floor(session.auth_time.getTime() / 1000),
      sid: session.id,
      at_hash: accessTokenHash(access.token, alg),
      user_type: session.user_type,
    };
    if (nonce !== undefined) claims.nonce = nonce;
    if (session.acr) claims.acr = session.acr;
    if (fhirUser) {
      claims.fhirUser = fhirUser;
      if (session.link.kind === 'patient') claims.patient = fhirLogicalId(fhirUser);
    }
    if (scopes.includes('profile')) {
      // OIDC Core §5.4: the `profile` scope asks for the name claims.
      if (given?.length) claims.given_name = given.join(' ');
      if (family) claims.family_name = family;
      const name = text ?? [...(given ?? []), family].filter(Boolean).join(' ');
      if (name) claims.name = name;
    }
    return this.signer.sign(realm, claims, 'JWT', alg, signingKeys);
  }
}
