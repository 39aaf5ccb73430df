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
 * Why a mocked citizen's `value` could not come from the realm's IdP (a sentence after the key);
 * undefined if it could. The IdP profiles check the shape (oiosaml3-citizen.profile.ts: ten digits, filed
 * under the realm's `patientIdentifierSystem` whatever it is; nl-citizen.profile.ts: a BSN), so a
 * mocked citizen is held to the same, by the realm's system or its NemLog-in IdP: it links as that
 * citizen would, and no malformed number travels in a `cpr` or `bsn` claim.
 */
export function nationalIdentifierShapeProblem(system: string, value: string, nemLogInIdp: boolean): string | undefined {
  if ((system === CPR_SYSTEM || nemLogInIdp) && !isCprNumber(value))
    return 'must be a CPR number (ten digits without a separator), as NemLog-in sends it';
  if (system === BSN_SYSTEM && !isBsn(value)) return 'must be a BSN (nine digits passing the eleven-test), as DigiD sends it';
  return undefined;
}
