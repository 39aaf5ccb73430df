import type { Principal } from './principal.js';

/** A care team the clinician is an active member of, with its organisation and their roles there. */
export interface LinkedCareTeam {
  /** Absolute FHIR URL of the CareTeam. */
  careTeam: string;
  /** Absolute FHIR URL of its managing Organization, when it has one. */
  organization?: string;
  roles: string[];
}

export interface LinkedOrganisation {
  /** Absolute FHIR URL of the Organization. */
  organization: string;
  roles: string[];
}

/** What linking found in FHIR; recorded in the session and carried into tokens. */
export type IdentityLink =
  /** `episodeOfCare`: the absolute URL of the episode a mocked citizen logs in with, checked to be the patient's. */
  | { kind: 'patient'; patient: string | undefined; episodeOfCare?: string }
  | { kind: 'practitioner'; practitioner: string; organisations: LinkedOrganisation[]; careTeams: LinkedCareTeam[] }
  | { kind: 'none' };

/**
 * The seam between login and FHIR (DESIGN.md §2): login hands over the Principal and gets back the
 * link. `patient` is the absolute FHIR URL of the one Patient found, undefined when none was.
 * Implementations throw the errors of `./linking-errors.ts`: the directory could not answer
 * (retryable), refused, or a national identifier matches more than one person.
 */
export interface IdentityLinker {
  link(principal: Principal): Promise<IdentityLink>;
}

export const IDENTITY_LINKER = Symbol('IDENTITY_LINKER');
