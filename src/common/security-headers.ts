/**
 * Headers on every answer, whatever route or refusal sends it. `nosniff`: a browser takes a JSON
 * answer, a FHIR resource or the SP metadata for what its Content-Type says, never as script or
 * style (Fetch, "X-Content-Type-Options"). `no-referrer`: the pages already say it (their meta tag);
 * the header says it for the redirects too, which carry authorization requests, SAML messages,
 * codes and states in their URLs (RFC 9700 §4.2.4: no such URL in a Referer).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};
