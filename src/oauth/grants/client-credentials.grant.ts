import { Injectable } from '@nestjs/common';
import { AuditTrail } from '../../audit/audit-trail.service.js';
import { bindTenant } from '../../tenancy/tenant-binding.js';
import { AccessTokenIssuer } from '../../tokens/access-token.issuer.js';
import { OAuthError } from '../../protocol/oauth-error.js';
import { grantScopes } from '../../protocol/scope.js';
import { scopesTheSubjectBears } from '../../protocol/smart-scope.js';
import type { GrantHandler, GrantRequest, TokenResponse } from './grant-handler.js';

/**
 * RFC 6749 §4.4: a confidential client obtains a token for itself. RFC 9068 §2.2 makes `sub` the
 * client id when no resource owner is involved; no refresh token is issued (§4.4.3). `user_id` names
 * the system user as eHealth's tokens name every user (DOMAIN.md: the FHIR resource, "else an
 * internal id"), here its client id: resource servers that read `user_id` find one on every token.
 */
@Injectable()
export class ClientCredentialsGrant implements GrantHandler {
  readonly grantType = 'client_credentials' as const;

  constructor(
    private readonly accessTokens: AccessTokenIssuer,
    private readonly audit: AuditTrail,
  ) {}

  async handle({ realm, client, params, organisationAgb, clientAddress }: GrantRequest): Promise<TokenResponse> {
    const scopes = machineScopes(params.get('scope'), client.config.scopes);
    const tenant = bindTenant(client.config, organisationAgb);
    const issued = await this.accessTokens.issue({
      realm,
      client,
      subject: client.clientId,
      userType: 'SYSTEM',
      scopes,
      organisationAgb: tenant,
      roles: client.config.roles,
      claims: { user_id: client.clientId },
    });
    // Nothing changed to commit it with: the event is written before the token leaves, or the request fails.
    const details = { scope: issued.claims.scope, roles: client.config.roles };
    await this.audit.record({
      realm: realm.name,
      type: 'CLIENT_LOGIN',
      clientId: client.clientId,
      ipAddress: clientAddress,
      tenant,
      details,
    });
    const response: TokenResponse = { access_token: issued.token, token_type: 'Bearer', expires_in: issued.expiresIn };
    if (issued.claims.scope !== undefined) response.scope = issued.claims.scope;
    return response;
  }
}

/**
 * What a machine's token bears of the scopes asked for (all the client's when none are). It names no
 * patient, so no patient-level SMART scope (`patient/*.read`, `launch/patient`), as a login without a
 * patient or an exchange has none: a FHIR server that read the scope alone would take it as a
 * patient's data with no patient to limit it to (SMART App Launch 2.x, "Scopes and launch context").
 * The answer's `scope` says what was granted (RFC 6749 §3.3); a request left with nothing is
 * `invalid_scope` rather than a token that can do nothing.
 */
function machineScopes(requested: string | undefined, allowed: readonly string[]): string[] {
  const asked = grantScopes(requested, allowed);
  const borne = scopesTheSubjectBears(asked, { person: false, hasPatient: false });
  if (requested !== undefined && borne.length === 0)
    throw new OAuthError('invalid_scope', 'client_credentials: only patient-level scopes asked for, and a machine names no patient');
  return borne;
}
