/** A successful token response (RFC 6749 §5.1), plus the extra members some grants return. */
export interface TokenResponse {
  access_token: string;
  /** `N_A` when token exchange issues something that is not an access token (RFC 8693 §2.2.1). */
  token_type: 'Bearer' | 'N_A';
  expires_in: number;
  scope?: string;
  refresh_token?: string;
  refresh_expires_in?: number;
  id_token?: string;
  issued_token_type?: string;
  /** SMART App Launch 2.x §"Launch context": the bare id of the patient in context, for the app that logged in. */
  patient?: string;
}
