/**
 * The audit trail's vocabulary: Keycloak's event types where one fits (`LOGIN`, `CODE_TO_TOKEN`,
 * `REFRESH_TOKEN`, `CLIENT_LOGIN`, `TOKEN_EXCHANGE`, `LOGOUT` and their `_ERROR`s), plus
 * `CONTEXT_SELECTED` (a clinician's or citizen's choice of organisation, care team, patient or episode,
 * or a care team that no longer held on a later refresh, with `details.reason`),
 * `ADMIN_ACTION` (every call of the admin API, and a rotation by `keys:rotate` or a withdrawal by `keys:withdraw`) and
 * `SIGNING_KEY_INSTALLED` (a signing key the service made, or took from `signingKeyFile`, of its own
 * accord: at start, or after another instance's start retired its algorithm; a rotation's key is its
 * ADMIN_ACTION). `REVOKE_GRANT` is an access token's revocation (RFC 7009; a refresh token's ends its
 * session: a LOGOUT) and `REVOKE_GRANT_ERROR` a live token's refused to a client it was not issued to.
 * `LOGOUT_ERROR` is a refused non-browser logout (an app's server POSTing its refresh token to the
 * logout endpoint, where Keycloak records it so), not a refused logout link. Introspection is not an
 * event: it is asked for every API call a resource server serves, and records nothing a person did.
 */
export const AUDIT_EVENT_TYPES = [
  'LOGIN',
  'LOGIN_ERROR',
  'CODE_TO_TOKEN',
  'CODE_TO_TOKEN_ERROR',
  'REFRESH_TOKEN',
  'REFRESH_TOKEN_ERROR',
  'CLIENT_LOGIN',
  'CLIENT_LOGIN_ERROR',
  'TOKEN_EXCHANGE',
  'TOKEN_EXCHANGE_ERROR',
  'LOGOUT',
  'LOGOUT_ERROR',
  'REVOKE_GRANT',
  'REVOKE_GRANT_ERROR',
  'CONTEXT_SELECTED',
  'ADMIN_ACTION',
  'SIGNING_KEY_INSTALLED',
  'SIGNING_KEY_RETIRED',
] as const;

export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

export function isAuditEventType(value: string): value is AuditEventType {
  return (AUDIT_EVENT_TYPES as readonly string[]).includes(value);
}

/**
 * Who ended a session (`details.by` of `LOGOUT`): the user (RP-initiated logout, or their app revoking
 * the refresh token), their IdP (SAML single logout), an administrator, or the service itself on a
 * replayed code or refresh token (RFC 9700 §4.14.2, RFC 6749 §4.1.2), on another person's login in
 * the same browser, which holds one person's SSO session (OIDC Core §3.1.2.3; sso-session.service.ts),
 * or at its start in production, for a mocked user's session (login/mocked-sessions-sweep.ts).
 */
export type LogoutBy = 'user' | 'idp' | 'admin' | 'reuse' | 'login' | 'start';

/** `details`: codes, client ids, FHIR references and scopes; never a national identifier, name, secret or token. */
export type AuditDetails = Record<string, string | number | boolean | string[] | undefined>;
