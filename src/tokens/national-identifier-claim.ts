import type { Identifier } from '../login/principal.js';

/** The claim a national identifier travels in, by its system (DOMAIN.md identifier systems). */
const CLAIMS: Record<string, string> = {
  'http://fhir.nl/fhir/NamingSystem/bsn': 'bsn',
  'urn:oid:1.2.208.176.1.2': 'cpr',
};

/**
 * `{ bsn: … }` or `{ cpr: … }` for a client whose config asks for the national identifier
 * (DESIGN.md §3: only then does one enter a token); nothing for any other client or system.
 */
export function nationalIdentifierClaim(identifier: Identifier | undefined, clientWantsIt: boolean): Record<string, string> {
  const claim = identifier && clientWantsIt ? CLAIMS[identifier.system] : undefined;
  return claim ? { [claim]: identifier!.value } : {};
}
