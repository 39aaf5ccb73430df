/**
 * Compact JWS texts that are not a JWS of `token`'s parts (RFC 7515 §7.1), each a bad token every
 * verifier must refuse as such, never as a server error: empty, one part, two, four, a header that
 * is not base64url, a header that is JSON but not an object.
 */
export function malformedCompactJws(token: string): string[] {
  const [header, payload, signature] = token.split('.');
  return [
    '',
    'a',
    `${header}.${payload}`,
    `${token}.x`,
    `!!.${payload}.${signature}`,
    `${Buffer.from('[1]').toString('base64url')}.${payload}.${signature}`,
  ];
}
