import { Inject, Injectable, Logger } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock.js';
import { authorizationResponse, type AuthorizationResponse } from '../protocol/authorization-response.js';
import type { Realm } from '../realms/realm.js';
import { IdpSubjects } from '../sessions/idp-subjects.service.js';
import { SsoSessionService } from '../sessions/sso-session.service.js';
import { LoginTransactionRepository, type LoginTransaction } from '../storage/login-transaction.repository.js';
import { UserRepository } from '../storage/user.repository.js';
import type { UserType } from '../identity/user-type.js';
import { acrForLoa } from '../identity/acr.js';
import type { FastifyRequest } from 'fastify';
import { authenticatedRecentlyEnough } from './authentication-age.js';
import { AuthorizationCodeService } from './authorization-code.service.js';
import { ExternalIdDigest } from './external-id-digest.js';
import { expiredBindingCookie, fromBoundBrowser } from './browser-binding.js';
import { presentedSsoSecret, ssoCookies } from './sso-cookies.js';
import { IDENTITY_LINKER, type IdentityLinker } from '../identity/identity-link.js';
import type { ErrorPage } from './pages/error.page.js';
import type { IdpNameId } from '../identity/idp-name-id.js';
import type { Principal } from '../identity/principal.js';
import { parseScope } from '../protocol/scope.js';
import { AuditTrail } from '../audit/audit-trail.service.js';
import { maskedRequestId } from '../logging/national-identifiers.js';
import { loginEventDetails } from './login-event-details.js';
import { scopesBackedByLink } from './scopes-backed-by-link.js';
import { linkingRefusal } from './linking-refusal.js';
import { LoginRefusalAudit } from './login-refusal-audit.js';

/** What the IdP step established: the person and what the IdP said of the session. */
export interface Authentication {
  principal: Principal;
  /** The SAML NameID, kept (digest and ciphertext only) for single logout. */
  nameId?: IdpNameId;
  sessionIndex?: string;
  sessionNotOnOrAfter?: Date;
  authnInstant?: Date;
  /** The assertion's IssueInstant: an IdP LogoutRequest issued after it may cover it (SAML Core §3.7.3.2). */
  issuedAt?: Date;
}

/**
 * The answer for the client, in its response mode, with the cookies to set (a completed login's SSO
 * cookies; the login's binding cookie removed); or a page for the person.
 */
export type LoginOutcome = { kind: 'response'; response: AuthorizationResponse; cookies?: string[] } | { kind: 'page'; page: ErrorPage };

const USER_TYPES: Record<Principal['kind'], UserType> = { citizen: 'PATIENT', clinician: 'PRACTITIONER', generic: 'SSL' };

export const OTHER_BROWSER: ErrorPage = { status: 400, key: 'other_browser' };

export const LOGIN_EXPIRED: ErrorPage = { status: 400, key: 'login_expired' };

/** The login's assertion was ended at the IdP before it arrived here (IdpSubjects.loggedOutAtIdp). */
const LOGGED_OUT_AT_IDP = Symbol('logged out at the IdP');
/** The assertion's SessionNotOnOrAfter passed before the login could complete. */
const IDP_SESSION_OVER = Symbol('IdP session over');

/** Thrown inside the login's transaction, so that nothing of it stays: another person than the `id_token_hint`'s logged in. */
class NotTheHintedPerson extends Error {}
const NOT_THE_HINTED_PERSON = Symbol('not the person of the id_token_hint');

/**
 * The common end of every login (SAML assertion or mocked user): link the principal to FHIR, then
 * — only if that worked — complete the pending transaction once, establish the browser's SSO session
 * (sso-session.service.ts), open the client session in it and send the browser back to the client
 * with a one-time code (RFC 6749 §4.1.2) and the SSO cookies (sso-cookies.ts).
 */
@Injectable()
export class LoginCompletionService {
  private readonly logger = new Logger('LoginCompletion');

  constructor(
    private readonly transactions: LoginTransactionRepository,
    @Inject(IDENTITY_LINKER) private readonly linker: IdentityLinker,
    private readonly users: UserRepository,
    private readonly ssoSessions: SsoSessionService,
    private readonly codes: AuthorizationCodeService,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly audit: AuditTrail,
    private readonly idpSubjects: IdpSubjects,
    private readonly externalIds: ExternalIdDigest,
    private readonly anonymousRefusals: LoginRefusalAudit,
  ) {}

  /**
   * Ends a pending login without a session (the IdP refused, or its answer was bad) and tells the
   * client: `access_denied` with `state` and `iss` (RFC 6749 §4.1.2.1). Nothing is left to reuse.
   * The LOGIN_ERROR event (`error`: a reason code) is written with the login's end, in one transaction.
   */
  async abort(
    realm: Realm,
    transactionId: string,
    reason: string,
    request: FastifyRequest,
    error = 'identity_provider_error',
    clientError = 'access_denied',
  ): Promise<LoginOutcome> {
    const transaction = await this.audit.transaction(async (tx) => {
      const ended = await this.transactions.complete(realm.name, transactionId, this.clock.now(), tx);
      if (ended) await this.audit.record({ ...loginFacts(realm, ended, request), type: 'LOGIN_ERROR', error }, tx);
      return ended;
    });
    if (!transaction) return { kind: 'page', page: LOGIN_EXPIRED };
    this.logger.warn({ realm: realm.name, client: transaction.client_id, reason }, 'login refused');
    return {
      kind: 'response',
      response: respond(realm, transaction, { error: clientError }),
      cookies: [expiredBindingCookie(realm, transactionId)],
    };
  }

  /**
   * Whether this request comes from the browser that started the pending login `transactionId`. When
   * another browser brings an answer to a pending login, its LOGIN_ERROR (`different_browser`) is
   * recorded, as {@link complete} records it; the login stays pending for its own browser. A
   * transaction id that names no pending login is no one's: nothing to record.
   */
  async fromStartingBrowser(realm: Realm, transactionId: string, request: FastifyRequest): Promise<boolean> {
    const pending = await this.transactions.findPending(realm.name, transactionId, this.clock.now());
    if (pending === undefined) return false;
    if (fromBoundBrowser(request, transactionId, pending.browser_binding)) return true;
    await this.anonymousRefusals.failed(
      { ...loginFacts(realm, pending, request), ipAddress: request.ip, type: 'LOGIN_ERROR' },
      'different_browser',
    );
    return false;
  }

  async complete(realm: Realm, transactionId: string, authentication: Authentication, request: FastifyRequest): Promise<LoginOutcome> {
    const pending = await this.transactions.findPending(realm.name, transactionId, this.clock.now());
    const facts = { ...loginFacts(realm, pending, request), idpAlias: authentication.principal.idpAlias, type: 'LOGIN_ERROR' as const };
    const refused = (error: string) => this.audit.failed(facts, error);
    // Refused before the login is known to be this browser's, so anyone can post these: recorded within
    // limits.loginRefusalAudit. Every refusal after it is the person's own, recorded whole.
    const refusedAnonymous = (error: string) => this.anonymousRefusals.failed({ ...facts, ipAddress: request.ip }, error);
    // The answer must come from the IdP this login was sent to (a mocked login cannot finish a SAML one).
    if (!pending || pending.idp_alias !== authentication.principal.idpAlias) {
      await refusedAnonymous('expired_login');
      return { kind: 'page', page: LOGIN_EXPIRED };
    }
    if (!fromBoundBrowser(request, transactionId, pending.browser_binding)) {
      this.logger.warn({ realm: realm.name, client: pending.client_id }, 'login refused: completed in another browser than it started in');
      await refusedAnonymous('different_browser');
      return { kind: 'page', page: OTHER_BROWSER };
    }
    // OIDC Core §3.1.2.1: the client sent max_age; a mocked user authenticates now, a SAML login at AuthnInstant.
    if (
      pending.max_age !== null &&
      !authenticatedRecentlyEnough(authentication.authnInstant ?? this.clock.now(), pending.created_at, pending.max_age)
    ) {
      return this.abort(realm, transactionId, 'authentication older than max_age', request, 'authentication_too_old');
    }
    const back = (params: Record<string, string | undefined>) => respond(realm, pending, params);

    // Linking comes before the transaction is completed: a FHIR outage leaves no session and no code.
    let link;
    try {
      link = await this.linker.link(authentication.principal);
    } catch (error) {
      const refusal = linkingRefusal(error, back);
      if (!refusal) throw error;
      this.logger[refusal.level]({ realm: realm.name, ...refusal.facts }, refusal.message);
      await refused(refusal.code);
      return refusal.outcome;
    }

    const { principal } = authentication;
    // One transaction (issue 13): the pending login completes, the session and its code exist and the
    // LOGIN event is written — or none of it. Nothing slow runs inside: linking is done above.
    const completed = await this.audit
      .transaction(async (tx) => {
        // SAML Core §3.7.3.2: an IdP LogoutRequest that came after this assertion, for its person and
        // session, ended it; checked first, so that a refusal writes nothing here, and under the
        // person's lock, held to the commit: a LogoutRequest recorded meanwhile waits, then finds the session.
        if (await this.idpSubjects.loggedOutAtIdp(realm, principal.idpAlias, authentication, tx)) return LOGGED_OUT_AT_IDP;
        const now = this.clock.now();
        // The IdP's session may have run out while FHIR was asked (judged at the ACS: response-checks.ts):
        // a session over at its start would hand out a code that no grant can redeem.
        if (authentication.sessionNotOnOrAfter && authentication.sessionNotOnOrAfter.getTime() <= now.getTime()) return IDP_SESSION_OVER;
        const transaction = await this.transactions.complete(realm.name, transactionId, now, tx);
        if (!transaction) return undefined;
        const identity = this.externalIds.identity(realm.name, principal.idpAlias, principal.externalId);
        const userId = await this.users.upsert(realm.name, principal.idpAlias, identity, now, tx);
        // OIDC Core §3.1.2.1: the client's id_token_hint named someone else. Rolled back whole: the login
        // stays pending until abort() ends it, and this person's SSO session is not made for a client
        // that expects another.
        if (transaction.hint_subject !== null && transaction.hint_subject !== userId) throw new NotTheHintedPerson();
        const { sso, secret, ended } = await this.ssoSessions.establish(
          {
            realm,
            userId,
            idpAlias: principal.idpAlias,
            idpSessionIndex: authentication.sessionIndex,
            userType: USER_TYPES[principal.kind],
            profile: principal.name ?? {},
            authTime: authentication.authnInstant ?? now,
            acr: acrForLoa(principal.loa),
            link,
            // Kept only if some client of the realm must receive it in its tokens; encrypted at rest.
            nationalIdentifier:
              principal.kind === 'citizen' && realm.config.clients.some((c) => c.nationalIdentifier) ? principal.ssn : undefined,
            notOnOrAfter: authentication.sessionNotOnOrAfter,
          },
          presentedSsoSecret(request),
          tx,
        );
        // Another person's SSO session in this browser ended with its client sessions: each gets its LOGOUT
        // with the change, naming this login (its client, the browser's address) as what ended it.
        const endedBy = { by: 'login', reason: 'another_user_logged_in', actor: transaction.client_id, ipAddress: request.ip } as const;
        if (ended) await this.audit.ssoSessionEnded(ended, endedBy, tx);
        if (authentication.nameId) await this.idpSubjects.remember(realm, sso.id, principal.idpAlias, authentication.nameId, tx);
        const session = await this.ssoSessions.openClientSession(
          realm,
          sso,
          { clientId: transaction.client_id, scope: scopesBackedByLink(parseScope(transaction.scope), link) },
          tx,
        );
        // The code carries what the session was granted, which may be less than was asked.
        const code = await this.codes.issue({ ...transaction, scope: session.scope }, session.id, tx);
        await this.audit.record(
          {
            ...loginFacts(realm, transaction, request),
            type: 'LOGIN',
            userId,
            sessionId: session.id,
            idpAlias: principal.idpAlias,
            details: loginEventDetails(session, link),
          },
          tx,
        );
        return { transaction, session, code, sso, secret };
      })
      .catch((error: unknown): typeof NOT_THE_HINTED_PERSON => {
        if (error instanceof NotTheHintedPerson) return NOT_THE_HINTED_PERSON;
        throw error;
      });
    if (completed === NOT_THE_HINTED_PERSON) {
      return this.abort(
        realm,
        transactionId,
        'another person than the id_token_hint names logged in',
        request,
        'not_the_hinted_user',
        'login_required',
      );
    }
    if (completed === IDP_SESSION_OVER) {
      return this.abort(
        realm,
        transactionId,
        'IdP session over (SessionNotOnOrAfter) before the login completed',
        request,
        'idp_session_over',
      );
    }
    if (completed === LOGGED_OUT_AT_IDP) {
      return this.abort(realm, transactionId, 'assertion covered by a later LogoutRequest of the IdP', request, 'logged_out_at_idp');
    }
    if (!completed) {
      await refused('expired_login');
      return { kind: 'page', page: LOGIN_EXPIRED };
    }
    const { transaction, session, code, sso, secret } = completed;
    this.logger.log({ realm: realm.name, client: transaction.client_id, sid: session.id, link: link.kind }, 'login completed');
    // `session_state` (OIDC Session Management 1.0 §2): what an RP posts to the login-status iframe
    // beside its client_id; the client session's id is the token's `sid`, which keycloak-js posts.
    return {
      kind: 'response',
      response: back({ code, session_state: session.id }),
      cookies: [...ssoCookies(realm, sso, secret, this.clock.now()), expiredBindingCookie(realm, transactionId)],
    };
  }
}

/** What every login event says of the pending login: realm, client, the IdP it was sent to, the browser's address. */
/**
 * Who, where from, and the request id: the reference a refused login's page shows is on its log line
 * and in its event's details, so support finds both from what the citizen reads out (issue 13).
 */
function loginFacts(realm: Realm, login: LoginTransaction | undefined, request?: FastifyRequest) {
  return {
    realm: realm.name,
    clientId: login?.client_id,
    idpAlias: login?.idp_alias,
    ipAddress: request?.ip,
    // The reference as the log line has it: a client's X-Request-Id may be a CPR (national-identifiers.ts).
    details: request ? { requestId: maskedRequestId(String(request.id)) } : undefined,
  };
}

/**
 * The response to the client that started the pending login, with its `state`, in the response
 * mode it asked for (logins stored before response modes existed answer in the query).
 */
function respond(realm: Realm, login: LoginTransaction, params: Record<string, string | undefined>): AuthorizationResponse {
  return authorizationResponse(login.response_mode ?? 'query', login.redirect_uri, realm.issuer, {
    ...params,
    state: login.state ?? undefined,
  });
}
