import { createHash } from 'node:crypto';

/**
 * The pages keycloak-js (26.x) frames from the realm (`keycloak.js`: `#check3pCookiesSupported`,
 * `#setupCheckLoginIframe`, `#checkLoginIframe`), with the messages it waits for. Each runs one inline
 * script, allowed by its hash alone (CSP3 §"hash-source"). keycloak-js gives up after
 * `messageReceiveTimeout` (10 s) without an answer, and an unanswered session check leaves its
 * `updateToken` waiting for ever: so every message gets an answer.
 */

/**
 * `3p-cookies/step1.html`: can this frame keep a cookie? Without storage access (Storage Access API)
 * it cannot; else it sets two test cookies (one `SameSite=None; Secure`, as the SSO cookies are) and
 * goes on to step 2, which reads them back. Keycloak's own test, cookie names included.
 */
const STEP1 = `(async () => {
  const hasAccess = 'hasStorageAccess' in document ? await document.hasStorageAccess() : true;
  if (!hasAccess) return window.parent.postMessage('unsupported', '*');
  document.cookie = 'KEYCLOAK_3P_COOKIE_SAMESITE=supported; Max-Age=60; SameSite=None; Secure';
  document.cookie = 'KEYCLOAK_3P_COOKIE=supported; Max-Age=60';
  window.location.replace('step2.html');
})().catch(() => window.parent.postMessage('unsupported', '*'));`;

/** `3p-cookies/step2.html`: tells keycloak-js whether step 1's cookies came back, and removes them. */
const STEP2 = `const supported = document.cookie.split('; ').some((c) => c.startsWith('KEYCLOAK_3P_COOKIE'));
document.cookie = 'KEYCLOAK_3P_COOKIE_SAMESITE=; Max-Age=0; SameSite=None; Secure';
document.cookie = 'KEYCLOAK_3P_COOKIE=; Max-Age=0';
window.parent.postMessage(supported ? 'supported' : 'unsupported', '*');`;

/**
 * `login-status-iframe.html` (OpenID Connect Session Management 1.0 §3.2, Keycloak's variant): the
 * app posts `"{client_id} {sid}"` (keycloak-js: the token's `sid`; any other RP: the authorization
 * response's `session_state`, §2, which is the same value); once the service has confirmed that the client registered the
 * app's origin (`init`, asked once per client and origin), the answer is `unchanged` when the token's
 * session belongs to the browser's SSO session (a client session id is `{sso}.{own}`; the
 * `KEYCLOAK_SESSION` cookie is `{realm}/{user}/{sso}`), `changed` when it does not (logged out, or
 * someone else logged in), and `error` for anything else — a malformed message included, and a frame
 * without storage access (Storage Access API), which cannot read the cookie at all.
 */
const LOGIN_STATUS = `const confirmed = new Map();
function registered(clientId, origin) {
  const key = clientId + ' ' + origin;
  if (!confirmed.has(key)) {
    const query = new URLSearchParams({ client_id: clientId, origin });
    const check = fetch('login-status-iframe.html/init?' + query, { credentials: 'same-origin' })
      .then((response) => response.status === 204)
      .catch(() => { confirmed.delete(key); return false; });
    confirmed.set(key, check);
  }
  return confirmed.get(key);
}
function browserSso() {
  const cookie = document.cookie.split('; ').find((c) => c.startsWith('KEYCLOAK_SESSION='));
  const parts = cookie ? decodeURIComponent(cookie.slice('KEYCLOAK_SESSION='.length)).split('/') : [];
  return parts.length === 3 ? parts[2] : '';
}
window.addEventListener('message', async (event) => {
  const answer = (status) => event.source && event.source.postMessage(status, event.origin === 'null' ? '*' : event.origin);
  const parts = typeof event.data === 'string' ? event.data.split(' ') : [];
  if (parts.length !== 2 || parts[0] === '') return answer('error');
  const [clientId, sid] = parts;
  try {
    if (!(await registered(clientId, event.origin))) return answer('error');
    // A frame on another site than the app's, where the browser keeps cookies from frames, cannot
    // read KEYCLOAK_SESSION: it cannot tell, which is no change (Keycloak's iframe answers the same).
    if ('hasStorageAccess' in document && !(await document.hasStorageAccess())) return answer('error');
    answer(sid.split('.')[0] === browserSso() ? 'unchanged' : 'changed');
  } catch {
    answer('error');
  }
});`;

export interface ScriptPage {
  html: string;
  /** The CSP `script-src` that allows exactly this page's script. */
  scriptSrc: string;
}

function scriptPage(title: string, script: string): ScriptPage {
  return {
    html: `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><script>${script}</script></body></html>`,
    scriptSrc: `'sha256-${createHash('sha256').update(script).digest('base64')}'`,
  };
}

export const THIRD_PARTY_COOKIES_STEP1 = scriptPage('3rd-party cookie check', STEP1);
export const THIRD_PARTY_COOKIES_STEP2 = scriptPage('3rd-party cookie check', STEP2);
export const LOGIN_STATUS_IFRAME = scriptPage('Login status', LOGIN_STATUS);
