import { digestsEqual, sha256 } from '../common/constant-time.js';

/**
 * The value a logout confirmation form carries (RP-initiated logout without `id_token_hint`): a
 * digest of the browser's SSO secret, its HttpOnly identity cookie, under a label of its own. Only a
 * page this service served to that browser holds it. Another site can make the browser post the form
 * (the cookie is `SameSite=None`) but cannot read the secret, so it cannot fill in the field: a
 * synchronizer token bound to the session (OWASP CSRF Prevention), with nothing stored.
 */
export function logoutConfirmation(ssoSecret: string): string {
  return sha256(`logout-confirmation\0${ssoSecret}`).toString('base64url');
}

/** Whether `presented` is the confirmation of the SSO session `ssoSecret` names, compared in constant time. */
export function confirmsLogout(presented: string | undefined, ssoSecret: string): boolean {
  return presented !== undefined && digestsEqual(Buffer.from(presented), Buffer.from(logoutConfirmation(ssoSecret)));
}
