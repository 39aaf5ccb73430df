import { Injectable } from '@nestjs/common';
import { AuditedRefusal, refusedForSubject } from '../../audit/audited-refusal.js';
import { AuditTrail } from '../../audit/audit-trail.service.js';
import { ContextSelectionService, lapseDetails, type ContextRequest } from '../../contexts/context-selection.service.js';
import { fhirFailureRetryable } from '../../contexts/fhir-failure-retryable.js';
import { SessionService } from '../../sessions/session.service.js';
import { bindExchangeTenant } from '../../tenancy/exchange-tenant.js';
import { bindTenant, continuedTenant } from '../../tenancy/tenant-binding.js';
import { SessionTokensIssuer } from '../../tokens/session-tokens.issuer.js';
import { isTokenError } from '../../tokens/token-errors.js';
import { TokenVerifier, type RefreshTokenClaims } from '../../tokens/token-verifier.js';
import { OAuthError } from '../../protocol/oauth-error.js';
import type { GrantHandler, GrantRequest, TokenResponse } from './grant-handler.js';
import { formatScope, narrowScope, offlineAsOnline, parseScope } from '../../protocol/scope.js';
import { RefreshTokenReuse } from './refresh-token-reuse.js';

/**
 * RFC 6749 §6 with rotation (RFC 9700 §4.14.2): the refresh token is single use; its successor
 * extends the session's idle end; scope may only shrink (§6: "MUST NOT include any scope not
 * originally granted"), and only that of the tokens issued now: the successor keeps the presented
 * token's scope (§6: "MUST be identical"). A refresh after the session ended, or of an already
 * rotated token, fails. The tenant rules are those of the other grants (tenant-binding.ts).
 */
@Injectable()
export class RefreshTokenGrant implements GrantHandler {
  readonly grantType = 'refresh_token' as const;

  constructor(
    private readonly verifier: TokenVerifier,
    private readonly sessions: SessionService,
    private readonly tokens: SessionTokensIssuer,
    private readonly contexts: ContextSelectionService,
    private readonly audit: AuditTrail,
    private readonly reuse: RefreshTokenReuse,
  ) {}

  async handle(request: GrantRequest): Promise<TokenResponse> {
    const { realm, client, params } = request;
    let claims: RefreshTokenClaims;
    try {
      claims = await this.verifier.verifyRefreshToken(realm, params.require('refresh_token'));
    } catch (error) {
      if (error instanceof OAuthError || !isTokenError(error)) throw error;
      throw new AuditedRefusal('invalid_grant', `refresh token rejected: ${(error as Error).message}`, { error: 'invalid_token' });
    }
    // From here the token is genuine: a refusal names its session and user (Keycloak's `invalid_token` for another client's).
    // Another client's presentation, even of a rotated token, is not taken for a reuse: anyone may name a
    // public client, so it would let whoever holds a confidential client's leaked token, useless to them
    // without its secret (RFC 6749 §6), end that client's session.
    if (claims.client_id !== client.clientId)
      throw new AuditedRefusal('invalid_grant', 'refresh token of another client', { error: 'invalid_token', sessionId: claims.sid });
    return refusedForSubject({ sessionId: claims.sid }, () => this.rotate(request, claims));
  }

  /** The refresh of a verified token of the client: each refusal before the rotation leaves the token good. */
  private async rotate(
    { realm, client, params, organisationAgb, clientAddress }: GrantRequest,
    claims: RefreshTokenClaims,
  ): Promise<TokenResponse> {
    const granted = offlineAsOnline(parseScope(claims.scope));
    const asked = params.get('scope');
    const requested = asked === undefined ? undefined : formatScope(offlineAsOnline(parseScope(asked)));
    // Before anything changes, as every refusal here: a current token stays good; a rotated one is
    // refused as the reuse it is (RFC 9700 §4.14.2), whatever else is wrong with the request.
    const scopes = await this.reuse.refusedUnlessStale(realm, claims, clientAddress, async () => {
      // Of what the token holds, only what the client may get now (README "Scopes", as at `auth`): a
      // config change that took a scope from it binds the sessions opened before, as Keycloak's refresh
      // drops a client scope the client lost. The refresh token keeps the grant (RFC 6749 §6: "identical").
      const selected = realm.scopeCatalogue.selectForLogin(client.config, narrowScope(requested, granted)).granted;
      await this.checkTenant(client, organisationAgb, claims);
      return selected;
    });

    // A context choice is checked against FHIR before anything changes (DOMAIN.md, contexts); without
    // one, the care team the tokens would carry is checked again.
    const choice = ContextSelectionService.requested((name) => params.get(name));
    const chosen = choice ? await this.selectContext(claims, choice) : undefined;
    const lapsed = choice ? undefined : await this.recheckCareTeam(claims);
    const context = chosen ?? lapsed?.context;

    // The rotation and its events commit together (issue 13), in one statement: REFRESH_TOKEN (and CONTEXT_SELECTED).
    const event = { realm: realm.name, clientId: client.clientId, ipAddress: clientAddress } as const;
    const events = this.audit.sessionEvents([
      { ...event, type: 'REFRESH_TOKEN', details: { scope: scopes.join(' ') } },
      ...(chosen ? [{ ...event, type: 'CONTEXT_SELECTED', details: { ...chosen } } as const] : []),
      ...(lapsed ? [{ ...event, type: 'CONTEXT_SELECTED', details: lapseDetails(lapsed) } as const] : []),
    ]);
    // Read before the rotation commits: its tokens are then signed without the database (signingKeys).
    const signingKeys = await this.tokens.signingKeys(realm, client);
    const rotation = await this.sessions.rotate(realm, claims.sid, claims.jti, context, events);
    // A reuse ends the session, with its LOGOUT; a token of a session already over just fails.
    if (!rotation) throw await this.reuse.refusal(realm, claims, clientAddress);
    // A token issued before refresh tokens named their tenant passes checkTenant without one; the
    // rotated session says. Refused all the same, fail closed: its successor goes to no one.
    if (client.config.tenants.length === 0) continuedTenant(client.config, rotation.session.tenant ?? undefined);
    return this.tokens.issue({
      realm,
      client,
      session: rotation.session,
      scopes,
      refreshScopes: granted,
      refreshJti: rotation.nextJti,
      nationalIdentifier: this.sessions.nationalIdentifierFor(client, rotation.session),
      signingKeys,
    });
  }

  /**
   * A client with tenants names one in `organisation_agb` (bindTenant), and for a session opened for
   * a tenant (a token exchange's) it must be that one, as token exchange requires of its subject
   * (bindExchangeTenant); a client without tenants names none, and refreshes no session of a tenant:
   * one it opened while it had tenants, which a config change has since taken away. Only a
   * tenant-bound client's refresh looks the session up: the token names its tenant for the others.
   */
  private async checkTenant(
    client: GrantRequest['client'],
    header: GrantRequest['organisationAgb'],
    claims: RefreshTokenClaims,
  ): Promise<void> {
    if (client.config.tenants.length === 0) {
      bindTenant(client.config, header);
      continuedTenant(client.config, claims.organisation_agb);
      return;
    }
    // A session no longer live is left to the rotation, which refuses it (or ends it on a reuse).
    const session = await this.sessions.findLive(claims.sid);
    bindExchangeTenant(client.config, header, session?.tenant ?? undefined);
  }

  /**
   * Only a token whose context names a care team costs a lookup and a FHIR read; a FHIR failure is
   * retryable and the token stays current, as for a choice (never tokens whose rights went unchecked).
   */
  private async recheckCareTeam(claims: RefreshTokenClaims) {
    if (claims.context?.care_team_id === undefined) return undefined;
    const session = await this.currentSession(claims);
    return session && fhirFailureRetryable('care team check', () => this.contexts.recheck(session));
  }

  private async selectContext(claims: RefreshTokenClaims, choice: ContextRequest) {
    const session = await this.currentSession(claims);
    if (!session) return undefined;
    return fhirFailureRetryable('context check', async () => {
      try {
        return await this.contexts.select(session, choice);
      } catch (error) {
        // A refused choice is the user's: their trail shows it, with the session it was asked in.
        if (error instanceof OAuthError) {
          const facts = { error: 'context_refused', sessionId: session.id, userId: session.user_id };
          throw new AuditedRefusal(error.code, error.reason, facts, { description: error.description });
        }
        throw error;
      }
    });
  }

  /**
   * The session whose chain's current token `claims` are; undefined for any other, which rotation
   * then refuses (a reuse ends the session) without a FHIR call.
   */
  private async currentSession(claims: RefreshTokenClaims) {
    const session = await this.sessions.findLive(claims.sid);
    return session?.refresh_jti === claims.jti ? session : undefined;
  }
}
