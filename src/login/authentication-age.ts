import { MAX_CLOCK_SKEW_SECONDS } from '../saml/saml-options.js';

/**
 * OIDC Core §3.1.2.1 `max_age`: at the time of the authorization request, at most `maxAgeSeconds`
 * may have passed since the person last actively authenticated. So an authentication made after the
 * request (what ForceAuthn asks the IdP for) always qualifies, also with `max_age=0`, and an older one
 * only within `maxAgeSeconds` before the request. The IdP's clock gets the tolerance SAML time checks
 * allow it.
 */
export function authenticatedRecentlyEnough(authTime: Date, requestedAt: Date, maxAgeSeconds: number): boolean {
  return authTime.getTime() >= requestedAt.getTime() - (maxAgeSeconds + MAX_CLOCK_SKEW_SECONDS) * 1000;
}
