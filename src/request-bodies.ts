import { BadRequestException } from '@nestjs/common';
import type { FastifyAdapter } from '@nestjs/platform-fastify';
import { parse as parseQueryString } from 'fast-querystring';
import { errorCodes, type FastifyInstance, type FastifyRequest, type onRequestHookHandler } from 'fastify';
import { bodyMediaType } from './protocol/form-params.js';

/**
 * What a request body may cost before any controller reads it. Every body is read whole and parsed
 * by the instance's parsers, for any route, and anyone may send one: the cost of a form grows with
 * its pairs, not its bytes (a 250 KB form of 59,000 short pairs took 130 ms of the main thread to
 * parse and copy, the same bytes as one pair 4.5 ms), so both are bounded here.
 */

/** Any route's body: an OAuth request, a logout with its `id_token_hint` (≤ 8 KB), an admin call. */
export const BODY_LIMIT_BYTES = 64 * 1024;

/** The SAML endpoint's: room for a Response with an encrypted assertion, base64 in a form (SAML Bindings §3.5.4). */
export const SAML_ENDPOINT_BODY_LIMIT_BYTES = 256 * 1024;

/**
 * Pairs in one form. No OAuth, OIDC, SMART or SAML binding request has more than about 25; a client's
 * unknown parameters are ignored (RFC 6749 §3.2), not an invitation to send thousands. A form with
 * more is refused as too large (413), as one over the byte limit is.
 */
export const MAX_FORM_PAIRS = 100;

const FORM = 'application/x-www-form-urlencoded';
const AMPERSAND = 0x26;
const SAML_ENDPOINT = /\/broker\/[^/]+\/endpoint$/;

/**
 * The SAML endpoint's routes get their larger limit as they are added (registered before any route is),
 * and every route but the embedded FHIR server's (it reads its own bodies) refuses a content coding
 * and a body of any type but a form before reading it.
 */
export function limitRequestBodies(fastify: FastifyInstance): void {
  fastify.addHook('onRoute', (route) => {
    if (SAML_ENDPOINT.test(route.url)) route.bodyLimit ??= SAML_ENDPOINT_BODY_LIMIT_BYTES;
    if (route.url.startsWith(EMBEDDED_FHIR_ROUTES)) return;
    const hooks = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
    route.onRequest = [...hooks, refuseContentCodings, refuseBodiesOtherThanForms];
  });
}

const EMBEDDED_FHIR_ROUTES = '/fhir/';

/**
 * A body in a content coding (RFC 9110 §8.4) is refused before it is read. The parsers read the bytes
 * as they came: a gzip form would be read as garbage, and a plain form labelled gzip as a form, where
 * a proxy or firewall that decodes it sees other parameters than the service. 415 with
 * `Accept-Encoding: identity` (RFC 9110 §15.5.16, §12.5.3) as Fastify answers a type it has no parser
 * for; an OAuth route answers that as every unreadable body (RFC 6749 §5.2), a browser route with its page.
 */
const refuseContentCodings: onRequestHookHandler = (request, reply, done) => {
  const codings = request.headers['content-encoding'];
  // A list (RFC 9110 §8.4), whose empty elements a recipient ignores (§5.6.1): `identity` is no coding.
  if (codings === undefined || codings.split(',').every((coding) => ['', 'identity'].includes(coding.trim().toLowerCase()))) return done();
  void reply.header('Accept-Encoding', 'identity');
  done(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE());
};

/**
 * What a route here takes in a body is a form, `application/x-www-form-urlencoded`: the OAuth
 * requests (RFC 6749 §3.2, the token, introspection and revocation endpoints), the authorization
 * request by POST (OIDC Core §3.1.2.1, SMART's `authorize-post`), the logout request (RP-Initiated
 * Logout 1.0 §2) and its confirmation, the mocked-user form, a SAML message by HTTP-POST (SAML
 * Bindings §3.5.4). The admin API reads no body, but takes a small JSON one, as the Keycloak admin
 * client sends `{}` with every call that may carry one (ADMIN_JSON_BODY_LIMIT_BYTES). A body of any
 * other type is refused before it is read, so it starts and ends nothing and costs nothing to parse
 * (a 256 KB JSON body at the SAML endpoint took 30 ms of the main thread to parse before the route
 * refused it): 415 (RFC 9110 §15.5.16) with `Accept` naming the form's type (§12.5.1), Fastify's own
 * refusal of a type it has no parser for, which the filter answers as an OAuth error at an API route
 * and with the page at a browser's. A request with no body (RFC 9112 §6.3: no Transfer-Encoding, no
 * Content-Length above 0), or of a method whose body Fastify never reads, is not judged by its
 * Content-Type: some clients send one with every request.
 */
const refuseBodiesOtherThanForms: onRequestHookHandler = (request, reply, done) => {
  const type = bodyMediaType(request);
  if (!mayHaveBody(request) || type === FORM || (type === JSON_TYPE && request.url.startsWith(ADMIN_ROUTES))) return done();
  void reply.header('Accept', FORM);
  done(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE());
};

const ADMIN_ROUTES = '/admin/';
const JSON_TYPE = 'application/json';

/** The admin API's JSON body (above): `{}`, or a few names; one larger is refused unread (413). */
export const ADMIN_JSON_BODY_LIMIT_BYTES = 1024;

function mayHaveBody(request: FastifyRequest): boolean {
  if (request.method === 'GET' || request.method === 'HEAD') return false;
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * The form parser, in place of Nest's default (which Nest then does not add): its parse
 * (fast-querystring, as Fastify's own for query strings) and its answer to a `__proto__` pair
 * (refused, as in a JSON body), after counting the pairs on the raw bytes. Written out because Nest's
 * is private (`getDefaultBodyParser`); it also honours Fastify's `onProtoPoisoning`, which this
 * service never sets, so the refusal here is its default.
 */
export function useBoundedFormParser(adapter: FastifyAdapter): void {
  // Besides it, only Fastify's own JSON parser for the admin API's small bodies (refuseBodiesOtherThanForms
  // refuses JSON at every other route unread); its plain-text parser goes, and Nest adds none
  // (`bodyParser: false`, app.factory.ts). The embedded FHIR server's routes read their own bodies.
  const fastify = adapter.getInstance();
  fastify.removeContentTypeParser(['application/json', 'text/plain']);
  fastify.addContentTypeParser(
    JSON_TYPE,
    { parseAs: 'string', bodyLimit: ADMIN_JSON_BODY_LIMIT_BYTES },
    fastify.getDefaultJsonParser('error', 'error'),
  );
  adapter.useBodyParser(FORM, false, undefined, (_request, body, done) => {
    if (!atMostPairs(body, MAX_FORM_PAIRS)) return done(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE(), undefined);
    const parsed = parseQueryString(body.toString()) as Record<string, unknown>;
    if (Object.hasOwn(parsed, '__proto__')) return done(new BadRequestException('Object contains forbidden prototype property'), undefined);
    done(null, parsed);
  });
}

/** Whether `body` holds at most `max` pairs (`max - 1` separators), looking no further than the one past them. */
export function atMostPairs(body: Buffer, max: number): boolean {
  let at = -1;
  for (let separators = 0; separators < max; separators++) {
    at = body.indexOf(AMPERSAND, at + 1);
    if (at === -1) return true;
  }
  return false;
}
