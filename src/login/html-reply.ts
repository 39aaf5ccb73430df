import type { FastifyReply } from 'fastify';
import type { AuthorizationResponse } from '../protocol/authorization-response.js';
import type { LoginOutcome } from './login-completion.service.js';
import { renderErrorPage, type ErrorPage } from './pages/error.page.js';
import { FORM_POST_CSP, renderFormPostPage } from './pages/form-post.page.js';
import type { Page } from './pages/page.js';
import { pageContext } from './pages/page-context.js';

/**
 * Pages about a login are never cached, never framed, and run no script (CSP); the only thing they
 * may load is the operator's logo, by its exact address. No `form-action`: browsers apply it to the
 * redirect that follows a post, which here goes to the client's callback. A {@link Page} is rendered
 * here, in the language and with the branding and reference of this request (page-context.ts).
 */
export function sendHtml(reply: FastifyReply, status: number, html: string | Page): FastifyReply {
  const { headers, body } = renderHtml(reply, html);
  return reply.status(status).headers(headers).send(body);
}

export function sendErrorPage(reply: FastifyReply, page: ErrorPage): FastifyReply {
  return sendHtml(reply, page.status, renderErrorPage(page));
}

/** The headers and body {@link sendHtml} sends, for an answer written to the socket by hand (http-client-errors.ts). */
export function renderHtml(reply: FastifyReply, html: string | Page): { headers: Record<string, string>; body: string } {
  const context = pageContext(reply.request, reply.server.loginPages);
  const logo = context.branding.logoUrl ? `; img-src ${context.branding.logoUrl}` : '';
  const headers = {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Language': context.locale,
    'Cache-Control': 'no-store',
    'X-Frame-Options': 'DENY',
    'Content-Security-Policy': `default-src 'none'; style-src 'unsafe-inline'${logo}; frame-ancestors 'none'`,
  };
  return { headers, body: typeof html === 'string' ? html : html(context) };
}

/** Redirects after a form post or to another site are 303 (RFC 9110 §15.4.4), so the browser GETs. */
export function sendRedirect(reply: FastifyReply, url: string): FastifyReply {
  return reply.status(303).header('Location', url).header('Cache-Control', 'no-store').send();
}

/**
 * The authorization response in the client's response mode: a redirect (query or fragment), or a
 * self-submitting form (Form Post Response Mode §2), which carries a code and so is never cached.
 */
export function sendAuthorizationResponse(reply: FastifyReply, response: AuthorizationResponse): FastifyReply {
  if (response.mode !== 'form_post') return sendRedirect(reply, response.url);
  return sendSelfPostingForm(reply, response.action, response.fields);
}

/** A page whose form posts `fields` to `action` by itself: the form_post response mode, and SAML's HTTP-POST binding (SAML Bindings §3.5.4). */
export function sendSelfPostingForm(reply: FastifyReply, action: string, fields: Readonly<Record<string, string>>): FastifyReply {
  return reply
    .status(200)
    .header('Content-Type', 'text/html; charset=utf-8')
    .header('Cache-Control', 'no-store')
    .header('X-Frame-Options', 'DENY')
    .header('Content-Security-Policy', FORM_POST_CSP)
    .send(renderFormPostPage(action, fields)(pageContext(reply.request, reply.server.loginPages)));
}

export function sendLoginOutcome(reply: FastifyReply, outcome: LoginOutcome): FastifyReply {
  if (outcome.kind === 'page') return sendErrorPage(reply, outcome.page);
  if (outcome.cookies) void reply.header('Set-Cookie', outcome.cookies);
  return sendAuthorizationResponse(reply, outcome.response);
}
