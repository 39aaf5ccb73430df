/**
 * The values of the OAuth parameters whose vocabulary is registered (IANA "OAuth Parameters"), so a
 * refusal's reason may name what a request asked for when it is one of them: a log names a request's
 * value only when it is a word of the protocol (see {@link registeredOrOther}).
 */

/** RFC 6749 §3.1.1 and OAuth 2.0 Multiple Response Type Encoding Practices §5. */
export const RESPONSE_TYPES: ReadonlySet<string> = new Set([
  'code',
  'token',
  'id_token',
  'none',
  'code token',
  'code id_token',
  'id_token token',
  'code id_token token',
]);

/** RFC 7636 §4.3. */
export const CODE_CHALLENGE_METHODS: ReadonlySet<string> = new Set(['plain', 'S256']);

/** RFC 6749 §4, RFC 8628, RFC 7523, RFC 7522, RFC 8693, OpenID CIBA, and Keycloak's UMA ticket. */
export const REGISTERED_GRANT_TYPES: ReadonlySet<string> = new Set([
  'authorization_code',
  'implicit',
  'password',
  'client_credentials',
  'refresh_token',
  'urn:ietf:params:oauth:grant-type:device_code',
  'urn:ietf:params:oauth:grant-type:jwt-bearer',
  'urn:ietf:params:oauth:grant-type:saml2-bearer',
  'urn:ietf:params:oauth:grant-type:token-exchange',
  'urn:ietf:params:oauth:grant-type:uma-ticket',
  'urn:openid:params:grant-type:ciba',
]);

/** RFC 8693 §3: the token type identifiers. */
export const TOKEN_TYPES: ReadonlySet<string> = new Set(
  ['access_token', 'refresh_token', 'id_token', 'saml1', 'saml2', 'jwt'].map((type) => `urn:ietf:params:oauth:token-type:${type}`),
);

/**
 * How a reason (written to the log, never sent) names a value a request sent: quoted when it is one
 * of `registered`, else only as another value. A request's value may be anything a person or an app
 * put there (a CPR, a name, a secret), and the log holds none of those.
 */
export function registeredOrOther(value: string, registered: ReadonlySet<string>): string {
  return registered.has(value) ? `"${value}"` : '(another value)';
}
