import type { LogoutBinding } from './worker/saml-worker.mjs';

/** Where a LogoutResponse goes, and by which binding. */
export interface LogoutAnswerRoute {
  binding: LogoutBinding;
  destination: string;
}

/**
 * The route of the LogoutResponse to an IdP's LogoutRequest that came by `requestBinding`, given the
 * IdP's response endpoints per binding (IdpSettings.sloResponseUrls, SAML Metadata §2.2.2): back in
 * the request's binding when the IdP has an endpoint of it; else in the other one. SAML Bindings
 * §3.4.1 and §3.5.1 allow HTTP-Redirect and HTTP-POST to be composed, a request by one answered by
 * the other, and both carry RelayState (§3.4.3, §3.5.3), so the IdP's state comes back either way.
 * This is what serves an IdP whose SingleLogoutService takes only HTTP-POST and that sends its
 * LogoutRequest by HTTP-Redirect: without it there was nowhere to answer, and its logout of the
 * person's other SPs (SAML Profiles §4.4.3.3–4) stopped here. Undefined: no SingleLogoutService.
 */
export function logoutAnswerRoute(
  urls: Partial<Record<LogoutBinding, string>>,
  requestBinding: LogoutBinding,
): LogoutAnswerRoute | undefined {
  const other: LogoutBinding = requestBinding === 'redirect' ? 'post' : 'redirect';
  for (const binding of [requestBinding, other]) {
    const destination = urls[binding];
    if (destination) return { binding, destination };
  }
  return undefined;
}
