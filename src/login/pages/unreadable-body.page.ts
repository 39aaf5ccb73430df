import type { ErrorPage } from './error.page.js';

/**
 * The page for a body refused before any controller read it, with the refusal's own status: 413 too
 * large, 415 a media type no parser takes, 408 not received whole in time, 400 (or any other) a body
 * that does not match its Content-Length, its type (empty or malformed JSON) or chunked encoding.
 */
export function unreadableBodyPage(status: number): ErrorPage {
  const key = { 408: 'request_timeout', 413: 'body_too_large', 415: 'unsupported_body' } as const;
  return { status, key: key[status as keyof typeof key] ?? 'unreadable_body' };
}

/**
 * Fastify's refusal of a request's body (`FST_ERR_CTP_*`, a 4xx) as a page; undefined for any other
 * error. Nest hands a 4xx Fastify error to the filters as an `HttpException` caused by it.
 */
export function refusedBodyPage(exception: unknown): ErrorPage | undefined {
  for (const error of [exception, (exception as { cause?: unknown } | null)?.cause]) {
    const { code, statusCode } = (error ?? {}) as { code?: unknown; statusCode?: unknown };
    if (typeof code !== 'string' || !code.startsWith('FST_ERR_CTP_')) continue;
    if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) return unreadableBodyPage(statusCode);
  }
  return undefined;
}
