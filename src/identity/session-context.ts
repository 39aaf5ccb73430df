/** The selected context: absolute FHIR URLs and the roles held in it (DOMAIN.md, contexts). */
export interface SessionContext {
  organization_id?: string;
  care_team_id?: string;
  patient_id?: string;
  episode_of_care_id?: string;
  roles?: string[];
}
