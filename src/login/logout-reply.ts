import type { FastifyReply } from 'fastify';
import type { Realm } from '../realms/realm.js';
import { sendErrorPage, sendHtml, sendRedirect, sendSelfPostingForm } from './html-reply.js';
import { renderLoggedOutPage } from './pages/logged-out.page.js';
import type { LogoutReply } from '../saml/saml-logout.service.js';
import type { LogoutOutcome } from './single-logout.service.js';
import { clearedSsoCookies } from './sso-cookies.js';

/**
 * The browser's answer at the broker endpoint after a logout message: on to the IdP with the
 * LogoutResponse (HTTP-Redirect, or HTTP-POST by a self-posting form, SAML Bindings §3.4, §3.5), back
 * to the client, or a page. A refused message gets the invalid-logout page and changes nothing.
 */
export function sendLogoutOutcome(reply: FastifyReply, realm: Realm, outcome: LogoutOutcome): FastifyReply {
  if (outcome.clearCookies) void reply.header('Set-Cookie', clearedSsoCookies(realm));
  switch (outcome.kind) {
    case 'idp':
      return sendToIdp(reply, outcome.reply);
    case 'client':
      return sendRedirect(reply, outcome.url);
    case 'logged-out':
      return sendHtml(reply, 200, renderLoggedOutPage());
    case 'refused':
      return sendErrorPage(reply, { status: 400, key: 'invalid_logout_link' });
  }
}

/**
 * A logout message of this SP on its way to the IdP's SingleLogoutService through the browser: a
 * redirect (HTTP-Redirect, SAML Bindings §3.4.3), or a page whose form posts it there by itself
 * (HTTP-POST, §3.5.3), with the form_post page's headers (no cache, no framing, only its own script).
 * The LogoutResponse to an IdP's LogoutRequest, and the LogoutRequest of RP-initiated logout.
 */
export function sendToIdp(reply: FastifyReply, message: LogoutReply): FastifyReply {
  return message.binding === 'redirect' ? sendRedirect(reply, message.url) : sendSelfPostingForm(reply, message.action, message.fields);
}
