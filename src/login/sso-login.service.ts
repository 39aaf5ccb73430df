import { Inject, Injectable, Logger } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AuditTrail } from '../audit/audit-trail.service.js';
import { CLOCK, type Clock } from '../common/clock.js';
import { ContextSelectionService, lapseDetails, type CareTeamRecheck } from '../contexts/context-selection.service.js';
import { fhirFailureRetryable } from '../contexts/fhir-failure-retryable.js';
import { defaultContext } from '../identity/default-context.js';
import { OAuthError } from '../protocol/oauth-error.js';
import { authorizationResponse, type AuthorizationResponse } from '../protocol/authorization-response.js';
import type { Realm } from '../realms/realm.js';
import { SsoSessionOver, SsoSessionService } from '../sessions/sso-session.service.js';
import type { SessionRow } from '../storage/session.repository.js';
import type { SsoSessionRow } from '../storage/sso-session.repository.js';
import { AuthorizationCodeService } from './authorization-code.service.js';
import type { LoginRequest } from './login-request.js';
import { presentedSsoSecret } from './sso-cookies.js';
import { answersFromSso } from './sso-reuse.js';
import { loginEventDetails } from './login-event-details.js';
import { scopesBackedByLink } from './scopes-backed-by-link.js';

/**
 * Single sign-on at the authorization endpoint (OIDC Core §3.1.2.3): a browser with a live SSO
 * session in the realm gets a code at once, for the same or another client, as a new client session
 * of the same SSO session, linked and contextualised as at its login: no IdP step. A clinician's care
 * team in that context is read from FHIR again first, as a refresh reads it, since the new session's
 * tokens would carry it: one that no longer holds is left out (CONTEXT_SELECTED with the reason), and a
 * FHIR failure is `temporarily_unavailable` to the client (RFC 6749 §4.1.2.1), never a session
 * carrying a team unchecked. Like a login at the IdP it is a LOGIN in the audit trail (`sso: true`),
 * written with the client session and its code in one transaction.
 */
@Injectable()
export class SsoLoginService {
  private readonly logger = new Logger('SsoLogin');

  constructor(
    private readonly ssoSessions: SsoSessionService,
    private readonly codes: AuthorizationCodeService,
    private readonly audit: AuditTrail,
    private readonly contexts: ContextSelectionService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The live SSO session of the realm this browser's identity cookie names, if any. */
  async browserSession(realm: Realm, request: FastifyRequest): Promise<SsoSessionRow | undefined> {
    const secret = presentedSsoSecret(request);
    return secret === undefined ? undefined : this.ssoSessions.resume(realm, secret);
  }

  /** The authorization response from `sso` (a code, in the request's response mode); undefined when the IdP step is needed. */
  async answer(
    realm: Realm,
    sso: SsoSessionRow | undefined,
    request: LoginRequest,
    browser: FastifyRequest,
  ): Promise<AuthorizationResponse | undefined> {
    if (!sso || !answersFromSso(sso, request, this.clock.now())) return undefined;
    const clientId = request.client.clientId;
    let lapsed: CareTeamRecheck | undefined;
    try {
      lapsed = await fhirFailureRetryable('care team check', () =>
        this.contexts.recheckContext(realm.name, sso.link, defaultContext(sso.link)),
      );
    } catch (error) {
      if (!(error instanceof OAuthError) || error.code !== 'temporarily_unavailable') throw error;
      this.logger.warn(
        { realm: realm.name, client: clientId, reason: error.reason },
        'login from the SSO session refused: FHIR unavailable',
      );
      // As an IdP login refused for FHIR's failure is recorded (linking-refusal.ts).
      const refusal = { realm: realm.name, type: 'LOGIN_ERROR', clientId, userId: sso.user_id, idpAlias: sso.idp_alias } as const;
      await this.audit.record({ ...refusal, ipAddress: browser.ip, error: 'identity_directory_unavailable', details: { sso: true } });
      return authorizationResponse(request.responseMode, request.redirectUri, realm.issuer, {
        error: 'temporarily_unavailable',
        error_description: 'The health records service is unavailable; try again.',
        state: request.state,
      });
    }
    const opened = await this.openWithCode(realm, sso, request, browser, lapsed);
    // The SSO session ended while its care team was read (a logout meanwhile): as if there were none.
    if (!opened) return undefined;
    const { session, code } = opened;
    this.logger.log({ realm: realm.name, client: clientId, sid: session.id }, 'login from the SSO session');
    // `session_state` as after a login at the IdP (login-completion.service.ts, OIDC Session Management 1.0 §2).
    return authorizationResponse(request.responseMode, request.redirectUri, realm.issuer, {
      code,
      state: request.state,
      session_state: session.id,
    });
  }

  /** The client session, its code and its events, in one transaction; undefined when the SSO session is over by then. */
  private async openWithCode(
    realm: Realm,
    sso: SsoSessionRow,
    request: LoginRequest,
    browser: FastifyRequest,
    lapsed: CareTeamRecheck | undefined,
  ): Promise<{ session: SessionRow; code: string } | undefined> {
    const clientId = request.client.clientId;
    try {
      return await this.audit.transaction(async (tx) => {
        const scope = scopesBackedByLink(request.scope, sso.link);
        const session = await this.ssoSessions.openClientSession(realm, sso, { clientId, scope, context: lapsed?.context }, tx);
        const code = await this.codes.issue(
          {
            realm: realm.name,
            client_id: clientId,
            redirect_uri: request.redirectUri,
            code_challenge: request.codeChallenge ?? null,
            nonce: request.nonce ?? null,
            scope: session.scope,
          },
          session.id,
          tx,
        );
        const { link } = sso;
        await this.audit.record(
          {
            realm: realm.name,
            type: 'LOGIN',
            clientId,
            userId: sso.user_id,
            sessionId: session.id,
            idpAlias: sso.idp_alias,
            ipAddress: browser.ip,
            details: { sso: true, ...loginEventDetails(session, link) },
          },
          tx,
        );
        if (lapsed) {
          const details = lapseDetails(lapsed);
          await this.audit.record(
            {
              realm: realm.name,
              type: 'CONTEXT_SELECTED',
              clientId,
              userId: sso.user_id,
              sessionId: session.id,
              ipAddress: browser.ip,
              details,
            },
            tx,
          );
        }
        return { session, code };
      });
    } catch (error) {
      if (error instanceof SsoSessionOver) return undefined;
      throw error;
    }
  }
}
