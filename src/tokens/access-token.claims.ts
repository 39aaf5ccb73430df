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
  /** Keycloak's token type claim, `Bearer` for an access token (its adapters check it). */
  typ: 'Bearer';
  /** The client it was issued to (OIDC Core §2), as Keycloak writes it; the same as `client_id`. */
  azp: string;
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
