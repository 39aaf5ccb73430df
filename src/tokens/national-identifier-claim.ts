import type { Identifier } from '../identity/principal.js';

/** The claim a national identifier travels in, by its system (DOMAIN.md identifier systems). */
const CLAIMS: Record<string, string> = {
  'http://fhir.nl/fhir/NamingSystem/bsn': 'bsn',
  'urn:oid:1.2.208.176.1.2': 'cpr',
};

/**
 * `{ bsn: … }` or `{ cpr: … }` for the national identifier a grant hands over: grants do so only for
 * a client whose config asks for it (DESIGN.md §3); nothing for an identifier of another system.
 */
export function nationalIdentifierClaim(identifier: Identifier | undefined): Record<string, string> {
  const claim = identifier ? CLAIMS[identifier.system] : undefined;
  return claim ? { [claim]: identifier!.value } : {};
}
