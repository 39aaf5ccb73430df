/**
 * Routes a person's browser visits, as a route's pattern or a request's path: their errors are pages,
 * not JSON (OIDC Core §3.1.2.6). The logout confirmation is the form the logout page posts.
 */
const BROWSER_ROUTE = /\/(protocol\/openid-connect\/(auth|logout|logout\/confirm)|broker\/[^/]+\/(login|endpoint))$/;

export function isBrowserRoute(patternOrPath: string): boolean {
  return BROWSER_ROUTE.test(patternOrPath);
}
