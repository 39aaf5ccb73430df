import type { ClientConfig } from '../config/client-config.schema.js';
import { OAuthError } from '../protocol/oauth-error.js';
import { bindTenant } from './tenant-binding.js';

/**
 * The tenant of an exchanged token: the subject token's, which the request may repeat but never
 * change; or, for a subject without one, the header's (which the client must be allowed).
 */
export function bindExchangeTenant(
  client: Pick<ClientConfig, 'clientId' | 'tenants'>,
  header: string | string[] | undefined,
  subjectTenant: string | undefined,
): string | undefined {
  const requested = bindTenant(client, header);
  if (subjectTenant === undefined) return requested;
  if (requested === undefined)
    throw new OAuthError('unauthorized_client', `client ${client.clientId} may not act for the subject token's organisation`);
  if (requested !== subjectTenant) throw new OAuthError('invalid_request', 'organisation_agb differs from the subject token’s');
  return subjectTenant;
}
