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
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
export const REFRESH_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:refresh_token';
export const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt';
export const TOKEN_TYPES: ReadonlySet<string> = new Set([
  ACCESS_TOKEN_TYPE,
  REFRESH_TOKEN_TYPE,
  JWT_TOKEN_TYPE,
  ...['id_token', 'saml1', 'saml2'].map((type) => `urn:ietf:params:oauth:token-type:${type}`),
]);

/** OAuth's parameter names: lower-case words joined by `_` (RFC 6749 §11.2, the IANA registry). */
export const PARAMETER_NAME_SHAPE = /^[a-z][a-z_]{0,63}$/;

/** A media type without its parameters, `type/subtype`, in lower case. */
export const MEDIA_TYPE_SHAPE = /^[a-z]+\/[a-z0-9.+-]{1,64}$/;

/**
 * How a reason (written to the log, never sent) names a value a request sent: as sent when it is one
 * of `registered` (or has its shape), else only as another value. A request's value may be anything a
 * person or an app put there (a CPR, a name, a secret), and the log holds none of those.
 */
export function registeredOrOther(value: string, registered: ReadonlySet<string> | RegExp): string {
  return (registered instanceof RegExp ? registered.test(value) : registered.has(value)) ? value : '(another value)';
}
