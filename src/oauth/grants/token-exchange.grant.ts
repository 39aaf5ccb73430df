import { Injectable } from '@nestjs/common';
import { bindExchangeTenant } from '../../tenancy/exchange-tenant.js';
import { AccessTokenIssuer } from '../../tokens/access-token.issuer.js';
import { OAuthError } from '../oauth.error.js';
import type { GrantHandler, GrantRequest, TokenResponse } from './grant-handler.js';
import { ExchangeSubjectResolver, type ExchangeSubject } from './exchange-subject.resolver.js';

export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

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
  ) {}

  async handle({ realm, client, params, organisationAgb }: GrantRequest): Promise<TokenResponse> {
    const policy = client.config.tokenExchange;
    if (!policy) throw new OAuthError('unauthorized_client', `client ${client.clientId} has no token-exchange policy`);
    if (params.has('actor_token') || params.has('actor_token_type')) throw new OAuthError('invalid_request', 'actor tokens are not supported');
    const requestedType = params.get('requested_token_type') ?? ACCESS_TOKEN_TYPE;
    if (requestedType !== ACCESS_TOKEN_TYPE) throw new OAuthError('invalid_request', `requested_token_type ${requestedType} not issued`);

    const subject = await this.subjects.resolve(realm, params.require('subject_token'), params.require('subject_token_type'));
    this.checkMayAct(subject, client.clientId);
    const audience = this.targets(params.get('audience'), params.get('resource'), policy.audiences);
    const scopes = this.narrowedScopes(params.get('scope'), subject.scopes, client.config.scopes);
    const tenant = bindExchangeTenant(client.config, organisationAgb, subject.tenant);

    const issued = await this.accessTokens.issue({
      realm,
      client,
      subject: subject.claims.sub!,
      userType: subject.claims.user_type ?? 'PATIENT',
      scopes,
      organisationAgb: tenant,
      audience,
      notAfter: subject.notAfter,
      claims: { ...subject.claims, act: subject.claims.act ? { sub: client.clientId, client_id: client.clientId, act: subject.claims.act } : { sub: client.clientId, client_id: client.clientId } },
    });
    const response: TokenResponse = { access_token: issued.token, issued_token_type: ACCESS_TOKEN_TYPE, token_type: 'Bearer', expires_in: issued.expiresIn };
    if (issued.claims.scope !== undefined) response.scope = issued.claims.scope;
    return response;
  }

  /** RFC 8693 §4.4: a `may_act` claim names who may act for the subject; anyone else is refused. */
  private checkMayAct(subject: ExchangeSubject, clientId: string): void {
    const mayAct = subject.mayAct;
    if (mayAct && mayAct.sub !== clientId && mayAct.client_id !== clientId) throw new OAuthError('invalid_request', 'may_act does not name this client');
  }

  /** §2.1: `audience` and `resource` name the targets; each must be one the policy allows. */
  private targets(audience: string | undefined, resource: string | undefined, allowed: string[]): string[] {
    const requested = [...(audience?.split(' ').filter(Boolean) ?? []), ...(resource ? [resource] : [])];
    if (requested.length === 0) {
      if (allowed.length === 1) return [...allowed];
      throw new OAuthError('invalid_target', 'no audience named and the policy allows several');
    }
    const refused = requested.filter((target) => !allowed.includes(target));
    if (refused.length > 0) throw new OAuthError('invalid_target', `target not allowed: ${refused.join(' ')}`);
    return [...new Set(requested)];
  }

  /** The subject's scopes the client may also hold; a request may pick from those, never widen. */
  private narrowedScopes(requested: string | undefined, subjectScopes: string[], clientScopes: string[]): string[] {
    const available = subjectScopes.filter((scope) => clientScopes.includes(scope));
    if (requested === undefined) return available;
    const scopes = [...new Set(requested.split(' ').filter(Boolean))];
    const widened = scopes.filter((scope) => !available.includes(scope));
    if (widened.length > 0) throw new OAuthError('invalid_scope', `scope widened: ${widened.join(' ')}`);
    return scopes;
  }
}
