import type { Identifier } from '../login/principal.js';

/** The claim a national identifier travels in, by its system (DOMAIN.md identifier systems). */
const CLAIMS: Record<string, string> = {
  'http://fhir.nl/fhir/NamingSystem/bsn': 'bsn',
  'urn:oid:1.2.208.176.1.2': 'cpr',
};

/**
 * `{ bsn: … }` or `{ cpr: … }` for a client whose config asks for the national identifier
 * (DESIGN.md §3: only then does one enter a token); nothing for any other client or system.
 * `identifier` is called (and the session's ciphertext decrypted) only for such a client.
 */
export function nationalIdentifierClaim(clientWantsIt: boolean, identifier: () => Identifier | undefined): Record<string, string> {
  if (!clientWantsIt) return {};
  const found = identifier();
  const claim = found ? CLAIMS[found.system] : undefined;
  return claim ? { [claim]: found!.value } : {};
}
