/**
 * The redirect back to the client (RFC 6749 §4.1.2 and §4.1.2.1), always carrying `iss`
 * (RFC 9207 §2) so the client can tell which authorization server answered.
 */
export function authorizationRedirect(redirectUri: string, issuer: string, params: Record<string, string | undefined>): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
  url.searchParams.set('iss', issuer);
  return url.toString();
}
