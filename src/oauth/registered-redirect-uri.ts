/**
 * A loopback IP literal redirect URI over http (RFC 8252 §7.3): `http://127.0.0.1` or `http://[::1]`,
 * a port or none, then nothing or a path (with its query) starting at `/`. Matched on the string as
 * sent, so what follows the port is compared as exactly as any other redirect URI.
 */
const LOOPBACK_REDIRECT = /^http:\/\/(127\.0\.0\.1|\[::1\])(?::([0-9]{1,5}))?((?:\/.*)?)$/;

/**
 * Whether `requested` is one of the client's registered redirect URIs: exact string comparison
 * (RFC 9700 §4.1.3: no case folding, no query or path leeway), with the one exception RFC 8252 §7.3
 * makes for native apps, which are public clients ("MUST allow any port to be specified at the time
 * of the request for loopback IP redirect URIs") and RFC 9700 §2.1 repeats. A native app listens on a
 * port its operating system picks, so `http://127.0.0.1:51234/cb` matches a registered
 * `http://127.0.0.1/cb`. A port is 1–65535 (RFC 6335 §6; a URL parser refuses more). Not for
 * `localhost` (§8.3: NOT RECOMMENDED, a name that may resolve elsewhere), which matches exactly, nor
 * for a confidential client, whose redirect URIs are a web server's.
 */
export function isRegisteredRedirectUri(
  requested: string,
  client: { type: 'public' | 'confidential'; redirectUris: readonly string[] },
): boolean {
  if (client.redirectUris.includes(requested)) return true;
  const loopback = client.type === 'public' ? withoutLoopbackPort(requested) : undefined;
  return loopback !== undefined && client.redirectUris.some((uri) => withoutLoopbackPort(uri) === loopback);
}

function withoutLoopbackPort(uri: string): string | undefined {
  const match = LOOPBACK_REDIRECT.exec(uri);
  if (!match) return undefined;
  const [, host, port, rest] = match;
  if (port !== undefined && !(Number(port) >= 1 && Number(port) <= 65_535)) return undefined;
  return `http://${host}${rest}`;
}
