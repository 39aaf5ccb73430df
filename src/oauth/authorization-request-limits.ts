import { hasControlCharacter } from '../common/control-characters.js';

/**
 * The longest value accepted for each parameter of an authorization request that is kept with the
 * pending login, echoed back, or compared. RFC 6749 and OIDC Core set no maximum; these leave room
 * for what clients send in practice (a `state` carrying a return path, any hash as `nonce`) while
 * bounding what one anonymous request can make the database hold for the login's ten minutes
 * (issue 15). PKCE values are 43–128 characters by their own grammar (RFC 7636 §4.2).
 */
export const AUTHORIZATION_PARAMETER_MAX_LENGTH: Readonly<Record<string, number>> = {
  // The client and its redirect URI come first: while they are unknown, errors go to a page.
  client_id: 256,
  redirect_uri: 2048,
  response_type: 64,
  scope: 4096,
  state: 2048,
  nonce: 512,
  code_challenge: 128,
  code_challenge_method: 16,
  prompt: 64,
  max_age: 16,
  response_mode: 32,
  aud: 2048,
  kc_idp_hint: 64,
  idp_hint: 64,
};

/** Our ID tokens are well under 4 KB (profile claims, fhirUser, acr); twice that is room enough for an `id_token_hint`. */
export const MAX_ID_TOKEN_HINT_LENGTH = 8192;

/**
 * The first of the parameters above whose value is too long or holds a control character (which
 * PostgreSQL refuses, or which would split a header or a log line), or undefined. A repeated
 * parameter is left to the repetition check.
 */
export function unacceptableParameter(params: ReadonlyMap<string, string | string[]>): string | undefined {
  return Object.keys(AUTHORIZATION_PARAMETER_MAX_LENGTH).find((name) => isUnacceptable(params, name));
}

/** Whether this one parameter is too long or holds a control character (a repeated one is not judged here). */
export function isUnacceptable(params: ReadonlyMap<string, string | string[]>, name: string): boolean {
  const maxLength = AUTHORIZATION_PARAMETER_MAX_LENGTH[name];
  return maxLength !== undefined && isUnacceptableValue(params.get(name), maxLength);
}

/** Whether a parameter's one value is longer than `maxLength` or holds a control character; the logout endpoint's rule too. */
export function isUnacceptableValue(value: unknown, maxLength: number): boolean {
  return typeof value === 'string' && (value.length > maxLength || hasControlCharacter(value));
}
