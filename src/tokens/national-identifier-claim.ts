import { NATIONAL_IDENTIFIER_CLAIMS } from '../config/national-identifier-systems.js';
import type { Identifier } from '../identity/principal.js';

/**
 * `{ bsn: … }` or `{ cpr: … }` for the national identifier a grant hands over: grants do so only for
 * a client whose config asks for it (DESIGN.md §3); nothing for an identifier of another system, a
 * combination the config refuses at boot (config/patient-identifier-system.check.ts).
 */
export function nationalIdentifierClaim(identifier: Identifier | undefined): Record<string, string> {
  const claim = identifier ? NATIONAL_IDENTIFIER_CLAIMS[identifier.system] : undefined;
  return claim ? { [claim]: identifier!.value } : {};
}
