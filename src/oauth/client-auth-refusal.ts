import type { PresentedCredentials } from '../clients/client-credentials.reader.js';
import type { RegisteredClient } from '../clients/registered-client.js';

/**
 * Keycloak's reason code of a client authentication refused with `invalid_client` (RFC 6749 §5.2), as
 * the token endpoint and the non-browser logout record it: `invalid_client_credentials` when the
 * request named a registered client (`claimed`: a wrong secret, a bad assertion, a method the client
 * may not use), `client_not_found` when it named none (the id is not kept: it may be a secret sent in
 * its place), `invalid_client` when its credentials could not be read.
 */
export function clientAuthRefusalReason(credentials: PresentedCredentials | undefined, claimed: RegisteredClient | undefined): string {
  if (credentials === undefined) return 'invalid_client';
  return claimed ? 'invalid_client_credentials' : 'client_not_found';
}
