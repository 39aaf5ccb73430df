import { isBsn, isCprNumber } from '../common/national-identifier-shape.js';

/**
 * The national identifier systems (FHIR `Identifier.system`, DOMAIN.md identifier systems) and the
 * token claim each travels in. Kept with the config so the boot check of `patientIdentifierSystem`
 * (patient-identifier-system.check.ts) and the claim itself (tokens/national-identifier-claim.ts)
 * read one list and cannot drift apart.
 */
export const CPR_SYSTEM = 'urn:oid:1.2.208.176.1.2';
export const BSN_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/bsn';

export const NATIONAL_IDENTIFIER_CLAIMS: Readonly<Record<string, 'cpr' | 'bsn'>> = {
  [CPR_SYSTEM]: 'cpr',
  [BSN_SYSTEM]: 'bsn',
};

/**
 * Why `value` cannot be an identifier of `system` (a sentence after the key), for the systems whose shape the IdP profiles
 * check (oiosaml3-citizen.profile.ts, nl-citizen.profile.ts); undefined if it can, or if the system
 * is another. A mocked citizen is held to the same shape as the IdP's would be, so it links as that
 * citizen would and no malformed number travels in a `cpr` or `bsn` claim.
 */
export function nationalIdentifierShapeProblem(system: string, value: string): string | undefined {
  if (system === CPR_SYSTEM && !isCprNumber(value))
    return 'must be a CPR number, the realm’s patientIdentifierSystem (ten digits without a separator, as NemLog-in sends it)';
  if (system === BSN_SYSTEM && !isBsn(value))
    return 'must be a BSN, the realm’s patientIdentifierSystem (nine digits passing the eleven-test, as DigiD sends it)';
  return undefined;
}
