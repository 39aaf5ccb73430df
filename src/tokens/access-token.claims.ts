import type { UserType } from '../identity/user-type.js';

/** The claims of an access token: RFC 9068 §2.2 plus the eHealth and Spreekuur claims. */
export interface AccessTokenClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  jti: string;
  client_id: string;
  scope?: string;
  sid?: string;
  auth_time?: number;
  acr?: string;
  user_type: UserType;
  user_id?: string;
  fhirUser?: string;
  patient?: string;
  context?: Partial<Record<'organization_id' | 'care_team_id' | 'patient_id' | 'episode_of_care_id', string>>;
  organisation_agb?: string;
  realm_access?: { roles: string[] };
  act?: { sub: string; client_id?: string; act?: unknown };
  [claim: string]: unknown;
}
