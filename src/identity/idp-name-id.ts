/**
 * The name an IdP gave the person in the login's assertion (SAML Core §2.2.3): needed again to log
 * the person out at that IdP (§3.7.1, LogoutRequest NameID), and to recognise its LogoutRequests. A
 * citizen's may carry a CPR or BSN: it is stored only as a keyed digest and encrypted, never logged.
 */
export interface IdpNameId {
  value: string;
  format?: string;
  nameQualifier?: string;
  spNameQualifier?: string;
}
