import type { FastifyReply } from 'fastify';
import type { Realm } from '../realms/realm.js';
import { sendErrorPage, sendHtml, sendRedirect, sendSelfPostingForm } from './html-reply.js';
import { renderLoggedOutPage } from './pages/logged-out.page.js';
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
      return outcome.reply.binding === 'redirect'
        ? sendRedirect(reply, outcome.reply.url)
        : sendSelfPostingForm(reply, outcome.reply.action, outcome.reply.fields);
    case 'client':
      return sendRedirect(reply, outcome.url);
    case 'logged-out':
      return sendHtml(reply, 200, renderLoggedOutPage());
    case 'refused':
      return sendErrorPage(reply, { status: 400, key: 'invalid_logout_link' });
  }
}
