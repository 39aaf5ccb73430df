import { errorCodes, type FastifyInstance, type preValidationHookHandler } from 'fastify';
import { isBrowserRoute } from './login/browser-routes.js';
import { isFormPost } from './protocol/form-params.js';

const FORM = 'application/x-www-form-urlencoded';

/**
 * What a browser route takes by POST is a form, `application/x-www-form-urlencoded`: the
 * authorization request (OIDC Core §3.1.2.1, SMART's `authorize-post`), the logout request
 * (RP-Initiated Logout 1.0 §2) and its confirmation, the mocked-user form, a SAML message by HTTP-POST
 * (SAML Bindings §3.5.4). A body of another type that Fastify parses anyway (JSON, plain text) is
 * refused before the controller reads it, so it starts and ends nothing: 415 (RFC 9110 §15.5.16) with
 * `Accept` naming the form's type (§12.5.1), and the page that says so. It is Fastify's own refusal of
 * a type it has no parser for (a multipart body gets it already), so the filter answers and logs it as
 * that one. Checked once the body is parsed (`preValidation`), so a malformed JSON body keeps its 400;
 * a request with no body (no Content-Type) has nothing to refuse.
 *
 * Fastify's parsers are the instance's, for every route, and neither Fastify nor Nest has a route
 * option naming the types a route takes (Nest's `@ApiConsumes` only documents it): hence a hook on
 * these routes, added as each is (registered before any route is).
 */
export function acceptOnlyFormsAtBrowserRoutes(fastify: FastifyInstance): void {
  fastify.addHook('onRoute', (route) => {
    if (route.method !== 'POST' || !isBrowserRoute(route.url)) return;
    const hooks = route.preValidation === undefined ? [] : Array.isArray(route.preValidation) ? route.preValidation : [route.preValidation];
    route.preValidation = [...hooks, refuseOtherThanForm];
  });
}

const refuseOtherThanForm: preValidationHookHandler = (request, reply, done) => {
  if (request.headers['content-type'] === undefined || isFormPost(request)) return done();
  void reply.header('Accept', FORM);
  done(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE());
};
