/**
 * Who logged in, as one typed value, whatever the IdP and attribute profile. SAML attribute
 * profiles (and mocked users) produce it; FHIR linking consumes it. National identifiers live only
 * here and in FHIR searches: never in a log line, never in a token unless a client's config asks.
 */
export interface Identifier {
  system: string;
  value: string;
}

export interface PersonName {
  given?: string[];
  family?: string;
  /** The full name as the IdP gave it (e.g. the clinician IdP's common name). */
  text?: string;
}

interface PrincipalBase {
  realm: string;
  /** IdP alias, or `mock` for mocked users. */
  idpAlias: string;
  /** The person's stable id at the IdP (persistent NameID or the profile's user-id attribute). */
  externalId: string;
  name?: PersonName;
  /** Level of assurance as the IdP states it (e.g. NSIS `Substantial`). */
  loa?: string;
}

/** A citizen (NemLog-in, Dutch DigiD-style portals): identified by a social security number. */
export interface CitizenPrincipal extends PrincipalBase {
  kind: 'citizen';
  /** CPR (`urn:oid:1.2.208.176.1.2`) or BSN (`http://fhir.nl/fhir/NamingSystem/bsn`). */
  ssn: Identifier;
  /**
   * The EpisodeOfCare (logical id) the login starts in: mocked citizens only (DOMAIN.md, mocked users:
   * "logs a citizen in by CPR (optionally with an episode of care)"); an IdP's assertion names none.
   */
  episodeOfCare?: string;
}

/** A role scope from the clinician IdP's privilege profile: an organisation or a care team. */
export interface OrganisationPrivileges {
  /** How the organisation is identified, e.g. SOR `urn:oid:1.2.208.176.1.1`, AGB-Z or URA. */
  identifier: Identifier;
  roles: string[];
}

export interface CareTeamPrivileges {
  /** The `{id}` of `urn:dk:sundhed:ehealth:careteam:{id}`: an identifier value or a logical id. */
  id: string;
  roles: string[];
}

/** A clinician (eHealth realm): becomes a FHIR Practitioner with roles and care-team memberships. */
export interface ClinicianPrincipal extends PrincipalBase {
  kind: 'clinician';
  /** Identifiers of the Practitioner; the first is the one it is found by. */
  identifiers: Identifier[];
  organisations: OrganisationPrivileges[];
  careTeams: CareTeamPrivileges[];
}

/** A supplier employee (realm `ssl`, `generic` profile): no FHIR linking. */
export interface GenericPrincipal extends PrincipalBase {
  kind: 'generic';
  attributes: Record<string, string[]>;
}

export type Principal = CitizenPrincipal | ClinicianPrincipal | GenericPrincipal;
