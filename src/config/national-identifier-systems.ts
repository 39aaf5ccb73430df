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
