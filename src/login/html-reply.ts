import type { FastifyReply } from 'fastify';
import type { LoginOutcome } from './login-completion.service.js';
import { renderErrorPage, type ErrorPage } from './pages/error.page.js';

/**
 * Pages about a login are never cached, never framed, and run no script (CSP). No `form-action`:
 * browsers apply it to the redirect that follows a post, which here goes to the client's callback.
 */
export function sendHtml(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply
    .status(status)
    .header('Content-Type', 'text/html; charset=utf-8')
    .header('Cache-Control', 'no-store')
    .header('X-Frame-Options', 'DENY')
    .header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
    .send(html);
}

export function sendErrorPage(reply: FastifyReply, page: ErrorPage): FastifyReply {
  return sendHtml(reply, page.status, renderErrorPage(page));
}

/** Redirects after a form post or to another site are 303 (RFC 9110 §15.4.4), so the browser GETs. */
export function sendRedirect(reply: FastifyReply, url: string): FastifyReply {
  return reply.status(303).header('Location', url).header('Cache-Control', 'no-store').send();
}

export function sendLoginOutcome(reply: FastifyReply, outcome: LoginOutcome): FastifyReply {
  return outcome.kind === 'redirect' ? sendRedirect(reply, outcome.url) : sendErrorPage(reply, outcome.page);
}
