/**
 * Routes a person's browser visits, as a route's pattern or a request's path: their errors are pages,
 * not JSON (OIDC Core §3.1.2.6). The logout confirmation is the form the logout page posts; the
 * session-status pages are what keycloak-js frames (their `/init` is the iframe script's fetch, which
 * reads only the status: it stays an API route).
 *
 * A path with a trailing slash (`…/auth/`) names no route, and its 404 is the not-found page too. It
 * is not served as the route (Keycloak, on JAX-RS, would): each endpoint keeps the one path discovery
 * names, which is the one path-based rules match, CORS's here (cors.ts) and a proxy's in front, and a
 * client configured with the other learns so at its first try.
 */
const BROWSER_ROUTE =
  /\/(protocol\/openid-connect\/(auth|logout|logout\/confirm|3p-cookies\/step[12]\.html|login-status-iframe\.html)|broker\/[^/]+\/(login|endpoint))\/?$/;

export function isBrowserRoute(patternOrPath: string): boolean {
  return BROWSER_ROUTE.test(patternOrPath);
}
