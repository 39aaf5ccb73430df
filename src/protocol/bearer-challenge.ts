/**
 * The `WWW-Authenticate` challenge of a resource that takes bearer tokens (RFC 6750 §3): the scheme
 * "MUST be followed by one or more auth-param values", so the protection space is named as `realm`
 * always, and the error follows when there is one; a request that carried no credentials is told
 * only that a bearer token is needed (§3.1: no error code then). The realm is made a safe
 * quoted-string (RFC 9110 §5.6.4): printable ASCII, `"` and `\` escaped.
 */
export function bearerChallenge(realm: string, error?: string): string {
  const quoted = realm.replace(/[^\x20-\x7e]/g, '').replace(/["\\]/g, '\\$&');
  return error === undefined ? `Bearer realm="${quoted}"` : `Bearer realm="${quoted}", error="${error}"`;
}
