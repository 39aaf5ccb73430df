import { ArgumentsHost, Catch, HttpException, type ExceptionFilter } from '@nestjs/common';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { SECURITY_HEADERS } from '../common/security-headers.js';
import { errorSummary } from '../logging/error-summary.js';
import { REQUEST_ID_HEADER } from '../logging/logger.js';
import { prefersHtmlPage } from '../login/browser-navigation.js';
import { isBrowserRoute } from '../login/browser-routes.js';
import '../protocol/allowed-methods.js';
import { bearerChallenge } from '../protocol/bearer-challenge.js';
import { sendErrorPage } from '../login/html-reply.js';
import { refusedBodyPage } from '../login/pages/unreadable-body.page.js';
import { OAuthError } from '../protocol/oauth-error.js';
import { UnknownRealmError } from '../realms/unknown-realm.error.js';
import { DatabaseUnavailableError } from '../storage/database.js';
import { isApiCall } from './api-calls-on-browser-routes.js';

/**
 * The routes that are protected resources of their own (RFC 6750), whose every refusal of a request
 * carries the bearer challenge (§3: "MUST include the HTTP WWW-Authenticate response header field"),
 * `invalid_request` included (§3.1).
 */
const ACCOUNT = '/realms/:realm/account';
const BEARER_RESOURCES: ReadonlySet<string> = new Set(['/realms/:realm/protocol/openid-connect/userinfo', ACCOUNT]);

/**
 * The one place errors become responses. OAuth errors render as RFC 6749 §5.2 bodies (only `error`,
 * `error_description` and `state`); `invalid_client` carries `WWW-Authenticate` (§5.2) and
 * `invalid_token` the bearer challenge (RFC 6750 §3). Anything unexpected becomes a `server_error`
 * without detail, logged by class only (the logger's `err` serializer: a database error's message
 * and fields hold SQL parameters and personal data); framework errors for bad input (body too large,
 * unparsable body) and values the database refuses become `invalid_request`, never a 500. On the
 * routes a browser visits (browser-routes.ts), the same errors are a readable page.
 */
@Catch()
export class OAuthErrorFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    // Only where no route took the request: a 404 a route's handler threw means no such resource there.
    const unrouted = exception instanceof HttpException && exception.getStatus() === 404 && request.routeOptions.url === undefined;
    const allowed = unrouted ? allowedMethods(request) : [];
    if (allowed.length > 0) {
      // RFC 9110 §15.5.6: the target exists under other methods; 405 names them in Allow.
      void reply.header('Allow', allowed.join(', '));
      const description = `This endpoint takes ${allowed.join(', ')}.`;
      const error = new OAuthError('invalid_request', `no ${request.method} route`, { status: 405, description });
      return sendOAuthError(request, reply, error, exception, undefined);
    }
    sendOAuthError(request, reply, this.toOAuthError(exception, request), exception, request.routeOptions?.url);
  }

  private toOAuthError(exception: unknown, request: FastifyRequest): OAuthError {
    if (exception instanceof OAuthError) return exception;
    if (exception instanceof UnknownRealmError) return new OAuthError('not_found', 'unknown realm');
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status === 404) return new OAuthError('not_found', `no route for ${request.method}`, { description: 'Not found.' });
      if (status < 500) return new OAuthError('invalid_request', exception.message, { status: status === 413 ? 413 : 400 });
    }
    const fastifyStatus = (exception as { statusCode?: unknown } | null)?.statusCode;
    if (typeof fastifyStatus === 'number' && fastifyStatus >= 400 && fastifyStatus < 500) {
      // Its code, not its message: a JSON parse error quotes the body.
      const { code, type } = errorSummary(exception);
      return new OAuthError('invalid_request', `unreadable request (${code ?? type})`, { status: fastifyStatus === 413 ? 413 : 400 });
    }
    // SQLSTATE class 22 (data exception, e.g. a NUL byte in text): a value got past the edge checks.
    const { type, code } = errorSummary(exception);
    if (type === 'DatabaseError' && code?.startsWith('22'))
      return new OAuthError('invalid_request', `the database refused a value (${code})`);
    // SQLSTATE class 40 (transaction rollback: a deadlock victim, a serialization failure): nothing
    // was changed and the same request may well succeed now. A grouped statement (grouped-lookups.ts)
    // fails all its callers at once; each is told to try again, as for a FHIR outage.
    if (type === 'DatabaseError' && code?.startsWith('40'))
      return new OAuthError('temporarily_unavailable', `the database rolled the statement back (${code})`);
    // The database did not answer in time, or could not be reached: nothing was done (storage/database.ts).
    if (exception instanceof DatabaseUnavailableError) return new OAuthError('temporarily_unavailable', exception.message);
    // Never the exception's message: it may quote SQL parameters or input.
    return new OAuthError('server_error', 'unexpected error');
  }
}

/** The methods routed at the request's path (protocol/allowed-methods.ts); none where nothing is. */
function allowedMethods(request: FastifyRequest): string[] {
  return request.server.allowedMethods?.(request.url.split('?')[0]!) ?? [];
}

/**
 * Fastify's own refusals of a path it cannot route, which never reach Nest's filter: a segment that is
 * no UTF-8 once percent-decoded (`FST_ERR_BAD_URL`), or one over the router's 100 characters
 * (`FST_ERR_MAX_PARAM_LENGTH`). Answered as the filter answers a malformed request (a page on a route
 * a browser visits), instead of Fastify's own body, which echoes the path (`frameworkErrors`).
 */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  // No onRequest hook ran for it (Fastify answers before routing): its id and the headers every answer carries.
  void reply.header(REQUEST_ID_HEADER, request.id).headers(SECURITY_HEADERS);
  sendOAuthError(request, reply, new OAuthError('invalid_request', `unroutable path (${error.code})`), error, undefined);
}

/** The log line and the answer for `error`, on the route `route` (a pattern; none when no route matched). */
function sendOAuthError(
  request: FastifyRequest,
  reply: FastifyReply,
  error: OAuthError,
  exception: unknown,
  route: string | undefined,
): void {
  const log = { code: error.code, reason: error.reason, path: route ?? 'unmatched' };
  if (error.routine) request.log.info(log, 'request refused');
  else if (error.status >= 500) request.log.error({ ...log, err: exception }, 'request failed');
  else request.log.warn(log, 'request refused');

  // keycloak-js's accountManagement() navigates to the account endpoint, Keycloak's account console,
  // which is not served here: a person who lands there (no token: a navigation carries none) gets the
  // not-found page, where an API client keeps its 401 and bearer challenge.
  if (route === ACCOUNT && error.withoutCredentials && prefersHtmlPage(request.headers)) {
    void sendErrorPage(reply, { status: 404, key: 'not_found' });
    return;
  }
  // Only a well-formed realm name goes into a challenge (RFC 7235 quoted-string; no injection).
  const realmParam = (request.params as Record<string, string> | undefined)?.realm;
  const realm = realmParam && /^[a-z0-9-]+$/.test(realmParam) ? realmParam : 'federation';
  if (error.code === 'invalid_client') void reply.header('WWW-Authenticate', `Basic realm="${realm}"`);
  // RFC 6750 §3.1: a bearer token refused (401) or lacking the privileges asked for (403, the admin API's
  // roles), or, at UserInfo and the account endpoint, a malformed request (400: a token sent two ways, a
  // malformed organisation_agb); a request that carried no credentials is only challenged, with no error code.
  if (
    error.code === 'invalid_token' ||
    error.code === 'insufficient_scope' ||
    (error.code === 'invalid_request' && route !== undefined && BEARER_RESOURCES.has(route))
  ) {
    void reply.header('WWW-Authenticate', bearerChallenge(realm, error.withoutCredentials ? undefined : error.code));
  }
  // A path no route serves is a page too when a browser navigated to it (browser-navigation.ts).
  const unroutedNavigation = route === undefined && error.status === 404 && prefersHtmlPage(request.headers);
  if (unroutedNavigation || (isBrowserRoute(route ?? request.url.split('?')[0]!) && !isApiCall(request))) {
    const key = error.status === 404 ? 'not_found' : error.status >= 500 ? 'server_error' : 'bad_request';
    // A body the parser refused keeps its status (415 too) and says what was wrong with it.
    void sendErrorPage(reply, refusedBodyPage(exception) ?? { status: error.status, key });
    return;
  }
  const body: Record<string, string> = { error: error.code, error_description: error.description };
  if (error.state !== undefined) body.state = error.state;
  // The content type is set here: a route may have declared another one (e.g. SAML metadata XML).
  void reply
    .status(error.status)
    .header('Content-Type', 'application/json; charset=utf-8')
    .header('Cache-Control', 'no-store')
    .header('Pragma', 'no-cache')
    .send(body);
}
