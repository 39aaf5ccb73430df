/**
 * Routes a person's browser visits, as a route's pattern or a request's path: their errors are pages,
 * not JSON (OIDC Core §3.1.2.6). The logout confirmation is the form the logout page posts; the
 * session-status pages are what keycloak-js frames (their `/init` is the iframe script's fetch, which
 * reads only the status: it stays an API route).
 */
const BROWSER_ROUTE =
  /\/(protocol\/openid-connect\/(auth|logout|logout\/confirm|3p-cookies\/step[12]\.html|login-status-iframe\.html)|broker\/[^/]+\/(login|endpoint))$/;

export function isBrowserRoute(patternOrPath: string): boolean {
  return BROWSER_ROUTE.test(patternOrPath);
}
