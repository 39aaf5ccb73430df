import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { browserReplyAwaitingBody } from './browser-bodies-in-flight.js';
import { REQUEST_ID_HEADER } from './logging/logger.js';
import { renderHtml } from './login/html-reply.js';
import { SECURITY_HEADERS } from './common/security-headers.js';
import { renderErrorPage } from './login/pages/error.page.js';
import { unreadableBodyPage } from './login/pages/unreadable-body.page.js';
import { OAuthError } from './protocol/oauth-error.js';

/**
 * node's HTTP parser refuses what it cannot read before any route sees it: a NUL or a raw 0xFF in the
 * path or a header, an unknown method, both `Transfer-Encoding` and `Content-Length`, headers over
 * 16 KB; and a request not received whole within `limits.requestTimeoutSeconds`. Fastify's default
 * answer to these has a shape of its own; this one has the RFC 6749 §5.2 body of every other refusal
 * (408 and 431 keep their status), and the connection is closed, as node and Fastify close it. A
 * browser route's request whose body was being read (too slow, a broken chunk) gets its error page.
 */
export function answerClientError(this: FastifyInstance, error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  // Its code only: a parser error's message may quote the bytes it could not read.
  this.log.debug({ code: error.code, status }, 'unreadable request refused');
  if (socket.writable) {
    const reply = browserReplyAwaitingBody(socket);
    const { headers, body } = (reply && pageAnswer(reply, status)) ?? jsonAnswer();
    const head = Object.entries({ ...headers, ...SECURITY_HEADERS })
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${head}` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

function jsonAnswer(): { headers: Record<string, string>; body: string } {
  const { code, description } = new OAuthError('invalid_request', 'unreadable request');
  const body = JSON.stringify({ error: code, error_description: description });
  return { headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' }, body };
}

/** The error page, as sendErrorPage renders it; undefined if it cannot be rendered (a throw here would end the process). */
function pageAnswer(reply: FastifyReply, status: number): { headers: Record<string, string>; body: string } | undefined {
  try {
    const { headers, body } = renderHtml(reply, renderErrorPage(unreadableBodyPage(status)));
    return { headers: { [REQUEST_ID_HEADER]: reply.request.id, ...headers }, body };
  } catch {
    return undefined;
  }
}
