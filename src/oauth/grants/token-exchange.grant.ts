import { Injectable } from '@nestjs/common';
import { refusedForSubject } from '../../audit/audited-refusal.js';
import { AuditTrail, type AuditEvent } from '../../audit/audit-trail.service.js';
import type { Queryable } from '../../storage/database.js';
import type { AccessTokenClaims } from '../../tokens/access-token.claims.js';
import { SessionService } from '../../sessions/session.service.js';
import { bindExchangeTenant } from '../../tenancy/exchange-tenant.js';
import { SessionTokensIssuer } from '../../tokens/session-tokens.issuer.js';
import { AccessTokenIssuer } from '../../tokens/access-token.issuer.js';
import { OAuthError } from '../../protocol/oauth-error.js';
import { ACCESS_TOKEN_TYPE, REFRESH_TOKEN_TYPE, TOKEN_TYPES, registeredOrOther } from '../../protocol/registered-values.js';
import type { GrantHandler, GrantRequest, TokenResponse } from './grant-handler.js';
import { ExchangeSubjectResolver, type ExchangeSubject } from './exchange-subject.resolver.js';
import { MAX_ACTORS } from './external-subject-claims.js';
import { narrowScope } from '../../protocol/scope.js';
import { scopesTheSubjectBears } from '../../protocol/smart-scope.js';

export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';

/**
 * OAuth 2.0 Token Exchange (RFC 8693), delegation semantics (§1.1): a portal holding a patient's
 * access token obtains one for a target it is allowed (`invalid_target` otherwise, §2.2.2), with
 * the subject's `sub`, patient and context, an `act` claim naming the portal (§4.1), the subject's
 * tenant, a scope that may only narrow, and a lifetime inside the subject's session.
 */
@Injectable()
export class TokenExchangeGrant implements GrantHandler {
  readonly grantType = TOKEN_EXCHANGE;

  constructor(
    private readonly subjects: ExchangeSubjectResolver,
    private readonly accessTokens: AccessTokenIssuer,
    private readonly sessions: SessionService,
    private readonly sessionTokens: SessionTokensIssuer,
    private readonly audit: AuditTrail,
  ) {}

  async handle(request: GrantRequest): Promise<TokenResponse> {
    const { realm, client, params } = request;
    const policy = client.config.tokenExchange;
    if (!policy) throw new OAuthError('unauthorized_client', `client ${client.clientId} has no token-exchange policy`);
    if (params.has('actor_token') || params.has('actor_token_type'))
      throw new OAuthError('invalid_request', 'actor tokens are not supported');
    const requestedType = params.get('requested_token_type') ?? ACCESS_TOKEN_TYPE;
    if (requestedType !== ACCESS_TOKEN_TYPE && !(requestedType === REFRESH_TOKEN_TYPE && policy.refreshTokens)) {
      throw new OAuthError(
        'invalid_request',
        `requested_token_type ${registeredOrOther(requestedType, TOKEN_TYPES)} not issued to this client`,
      );
    }

    const subject = await this.subjects.resolve(realm, params.require('subject_token'), params.require('subject_token_type'));
    // A live subject token: a refusal from here on names its user and session, as the exchange's event would.
    const named = { userId: subject.claims.sub, sessionId: subject.session?.id };
    return refusedForSubject(named, () => this.exchange(request, requestedType, subject));
  }

  private async exchange(
    { realm, client, params, organisationAgb, clientAddress }: GrantRequest,
    requestedType: string,
    subject: ExchangeSubject,
  ): Promise<TokenResponse> {
    const policy = client.config.tokenExchange!;
    this.checkMayAct(subject, client.clientId);
    if (policy.subjectClients && !policy.subjectClients.includes(subject.clientId ?? '')) {
      throw new OAuthError('invalid_request', 'subject token issued to a client this policy does not accept');
    }
    const audience = this.targets(params.getAll('audience'), params.getAll('resource'), policy.audiences);
    // Whoever issued the subject token (a trusted partner's `scope` is taken as it came), the issued token
    // bears only what its subject can: SMART App Launch 2.x, "Scopes and launch context".
    const scopes = scopesTheSubjectBears(this.narrowedScopes(params.get('scope'), subject.scopes, client.config.scopes), {
      person: (subject.claims.user_type ?? 'PATIENT') !== 'SYSTEM',
      hasPatient: subject.claims.patient !== undefined,
    });
    const tenant = bindExchangeTenant(client.config, organisationAgb, subject.tenant);
    const act = actorClaim(client.clientId, subject.claims.act);
    const event = exchangeEvent(realm.name, client.clientId, subject, { scopes, tenant, audience, requestedType, clientAddress });
    if (requestedType === REFRESH_TOKEN_TYPE)
      return this.delegatedSession(realm, client, subject, { scopes, tenant, audience, act }, event);

    const issued = await this.accessTokens.issue({
      realm,
      client,
      subject: subject.claims.sub!,
      userType: subject.claims.user_type ?? 'PATIENT',
      scopes,
      organisationAgb: tenant,
      audience,
      notAfter: subject.notAfter,
      claims: { ...subject.claims, act },
      nationalIdentifier: subject.session && this.sessions.nationalIdentifierFor(client, subject.session),
    });
    await this.audit.record(event);
    const response: TokenResponse = {
      access_token: issued.token,
      issued_token_type: ACCESS_TOKEN_TYPE,
      token_type: 'Bearer',
      expires_in: issued.expiresIn,
    };
    // §2.2.1: `scope` is OPTIONAL only when identical to the one requested, "otherwise, it is REQUIRED":
    // a scope asked for and dropped (one its subject cannot bear) is named, as none (""), not left out.
    if (issued.claims.scope !== undefined || params.has('scope')) response.scope = issued.claims.scope ?? '';
    return response;
  }

  /**
   * A refresh token for the client (policy `refreshTokens`): a session of its own under the
   * subject's, dying with it; its tokens carry `act` and the target audience. Per §2.2.1 the issued
   * token travels in `access_token`, with `issued_token_type` saying what it is and `token_type` N_A.
   */
  private async delegatedSession(
    realm: GrantRequest['realm'],
    client: GrantRequest['client'],
    subject: ExchangeSubject,
    issued: { scopes: string[]; tenant: string | undefined; audience: string[]; act: Record<string, unknown> },
    event: AuditEvent,
  ): Promise<TokenResponse> {
    if (!subject.session) throw new OAuthError('invalid_request', 'a refresh token needs a user session behind the subject token');
    // One level only: a delegated session's liveness is checked against its parent, not further up.
    if (subject.session.parent_id !== null) throw new OAuthError('invalid_request', 'a delegated session cannot delegate again');
    const { context, realm_access } = subject.claims;
    const parent = subject.session;
    // The delegated session, its refresh chain and the TOKEN_EXCHANGE event commit together (issue 13).
    const open = async (tx: Queryable) => {
      // The subject's session, read again and locked as its end locks it: an end committed since the
      // subject token was read is seen here, and one under way waits for this commit and then finds the
      // delegated session to end with it (SessionRepository.endDelegatedFrom), with its LOGOUT.
      if (!(await this.sessions.findLive(parent.id, tx)))
        throw new OAuthError('invalid_request', 'subject token is not a live access token of this realm');
      const session = await this.sessions.openDelegated(
        realm,
        parent,
        {
          clientId: client.clientId,
          scope: issued.scopes,
          tenant: issued.tenant ?? null,
          context: context || realm_access ? { ...context, ...(realm_access ? { roles: realm_access.roles } : {}) } : null,
          delegation: { act: issued.act, audience: issued.audience },
        },
        tx,
      );
      const jti = await this.sessions.startRefreshChain(session, tx);
      await this.audit.record({ ...event, details: { ...event.details, delegated_session: session.id } }, tx);
      return { child: session, refreshJti: jti };
    };
    const signingKeys = await this.sessionTokens.signingKeys(realm, client);
    const { child, refreshJti } = await this.audit.transaction(open);
    const tokens = await this.sessionTokens.issue({
      realm,
      client,
      session: child,
      scopes: issued.scopes,
      refreshJti,
      nationalIdentifier: this.sessions.nationalIdentifierFor(client, child),
      signingKeys,
    });
    return {
      access_token: tokens.refresh_token!,
      issued_token_type: REFRESH_TOKEN_TYPE,
      token_type: 'N_A',
      expires_in: tokens.refresh_expires_in!,
      ...(tokens.scope ? { scope: tokens.scope } : {}),
    };
  }

  /** RFC 8693 §4.4: a `may_act` claim names who may act for the subject; anyone else is refused. */
  private checkMayAct(subject: ExchangeSubject, clientId: string): void {
    const mayAct = subject.mayAct;
    if (mayAct && mayAct.sub !== clientId && mayAct.client_id !== clientId)
      throw new OAuthError('invalid_request', 'may_act does not name this client');
  }

  /**
   * §2.1: `audience` and `resource` name the targets, each possibly repeated (at most
   * `MAX_REPEATED_VALUES` times, FormParams); each must be one the policy allows. Each `audience`
   * value is one logical name: a space in it is part of the name, not a separator (no client or
   * test relied on splitting), so `xis xis-archive` names no registered target (`invalid_target`).
   * A `resource` is an absolute URI without a fragment (§2.1, RFC 8707 §2: `invalid_target`
   * otherwise); a logical name such as `xis` goes in `audience`.
   */
  private targets(audiences: readonly string[], resources: readonly string[], allowed: string[]): string[] {
    if (resources.some((resource) => !URL.canParse(resource) || resource.includes('#'))) {
      throw new OAuthError('invalid_target', 'a resource that is not an absolute URI without a fragment');
    }
    const requested = [...audiences, ...resources];
    if (requested.length === 0) {
      if (allowed.length === 1) return [...allowed];
      throw new OAuthError('invalid_target', 'no audience named and the policy allows several');
    }
    const refused = requested.filter((target) => !allowed.includes(target));
    // Counted, not named: a target that no policy lists may be anything a client put there.
    if (refused.length > 0) throw new OAuthError('invalid_target', `${refused.length} target(s) not allowed`);
    return [...new Set(requested)];
  }

  /** The subject's scopes the client may also hold; a request may pick from those, never widen. */
  private narrowedScopes(requested: string | undefined, subjectScopes: string[], clientScopes: string[]): string[] {
    const available = subjectScopes.filter((scope) => clientScopes.includes(scope));
    return narrowScope(requested, available);
  }
}

type Actor = NonNullable<AccessTokenClaims['act']>;

/**
 * §4.1: the issued token's `act` names this client, with the subject token's own chain nested under
 * it. The issued chain is at most `MAX_ACTORS` deep, as a partner's subject token must be
 * (external-subject-claims.ts), so a subject already bringing that many is refused: otherwise a
 * client exchanging its own results again and again would nest actors without end, each token larger
 * than the last, for every resource server to read, and this realm would issue what it refuses.
 */
function actorClaim(clientId: string, subjectAct: Actor | undefined): Actor {
  let depth = 0;
  for (let link = subjectAct; link !== undefined; link = link.act as Actor | undefined) depth++;
  if (depth >= MAX_ACTORS)
    throw new OAuthError('invalid_request', `subject token already nests ${MAX_ACTORS} actors, the most a token may`);
  return subjectAct ? { sub: clientId, client_id: clientId, act: subjectAct } : { sub: clientId, client_id: clientId };
}

/**
 * TOKEN_EXCHANGE (issue 13): the subject (`sub` and its session), the actor (the client exchanging),
 * the audience and the tenant; the patient when the subject is in one's context (a citizen, or a
 * clinician who chose one), for the patient-linked FHIR AuditEvent.
 */
function exchangeEvent(
  realm: string,
  actor: string,
  subject: ExchangeSubject,
  issued: { scopes: string[]; tenant: string | undefined; audience: string[]; requestedType: string; clientAddress?: string },
): AuditEvent {
  const link = subject.session?.link;
  return {
    realm,
    type: 'TOKEN_EXCHANGE',
    clientId: actor,
    userId: subject.claims.sub,
    sessionId: subject.session?.id,
    idpAlias: subject.session?.idp_alias,
    ipAddress: issued.clientAddress,
    tenant: issued.tenant,
    details: {
      audience: issued.audience,
      scope: issued.scopes.join(' '),
      subject_client: subject.clientId,
      requested_token_type: issued.requestedType,
      user_type: subject.claims.user_type,
      patient: subject.claims.context?.patient_id ?? (link?.kind === 'patient' ? link.patient : undefined) ?? subject.patient,
    },
  };
}
