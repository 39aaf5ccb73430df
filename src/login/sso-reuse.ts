import type { LoginRequest } from './login-request.js';

/**
 * Whether an authorization request is answered from the browser's SSO session, without the IdP step
 * (OIDC Core §3.1.2.3: the OP authenticates the End-User "by whatever means", an existing session
 * included). Not with `prompt=login` (§3.1.2.1: re-authenticate), nor when the session's
 * authentication is at least `max_age` seconds old (§3.1.2.1: "MUST attempt to actively
 * re-authenticate"); so `max_age=0` always sends the person to the IdP.
 */
export function answersFromSso(sso: { auth_time: Date } | undefined, request: Pick<LoginRequest, 'prompt' | 'maxAge'>, now: Date): boolean {
  if (!sso || request.prompt === 'login') return false;
  return request.maxAge === undefined || now.getTime() - sso.auth_time.getTime() < request.maxAge * 1000;
}
