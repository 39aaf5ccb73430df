import type { ClientConfig } from '../config/client-config.schema.js';
import { OAuthError } from '../protocol/oauth-error.js';
import { tenantNamedBy } from './tenant-match.js';

/**
 * The tenant a token request acts for, from its `organisation_agb` header. A client configured with
 * tenants must name one of them; a client without tenants must not name any. A repeated header
 * arrives joined with commas and is refused as malformed.
 */
export function bindTenant(client: Pick<ClientConfig, 'clientId' | 'tenants'>, header: string | string[] | undefined): string | undefined {
  if (header === undefined) {
    if (client.tenants.length > 0) throw new OAuthError('invalid_request', `client ${client.clientId} must send organisation_agb`);
    return undefined;
  }
  const code = tenantNamedBy(header)!;
  if (!client.tenants.includes(code)) {
    throw new OAuthError('unauthorized_client', `client ${client.clientId} may not act for organisation ${code}`);
  }
  return code;
}

/**
 * A session opened for a tenant continues (is refreshed) only by a client that may still act for it:
 * a config change may have taken that tenant, or all of them, away from the client.
 */
export function continuedTenant(client: Pick<ClientConfig, 'clientId' | 'tenants'>, sessionTenant: string | undefined): void {
  if (sessionTenant !== undefined && !client.tenants.includes(sessionTenant)) {
    throw new OAuthError('unauthorized_client', `client ${client.clientId} may not act for organisation ${sessionTenant}`);
  }
}
