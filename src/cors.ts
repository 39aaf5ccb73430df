import cors, { type FastifyCorsOptions } from '@fastify/cors';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { realmWebOrigins } from './clients/web-origins.js';
import type { Config } from './config/config.schema.js';

/**
 * Endpoints a single-page app calls with credentials (a code, a refresh token, a bearer token, a
 * client secret): only the realm's clients' web origins may read their answers. `contexts` among
 * them: an app lists the contexts it may choose there before choosing one at `token` (DOMAIN.md). Not `logout`: an
 * app logs out by navigating there (RP-Initiated Logout 1.0 §2; keycloak-js and openid-client do),
 * and its confirmation page carries the token that makes a logout without `id_token_hint` the
 * person's own choice (logout-confirmation.ts), which another page's script must not read.
 */
const CREDENTIALED = /^\/realms\/([^/]+)\/(?:protocol\/openid-connect\/(?:token|token\/introspect|userinfo|revoke)|account|contexts)$/;

/** Public metadata and keys: any page may read them, without credentials. */
const PUBLIC =
  /^\/(?:realms\/[^/]+\/(?:\.well-known\/(?:openid-configuration|oauth-authorization-server|smart-configuration)|protocol\/openid-connect\/certs)|\.well-known\/oauth-authorization-server\/realms\/[^/]+)$/;

/**
 * The embedded FHIR server's realm bases (fhir-endpoint.ts): their CapabilityStatement and SMART
 * configuration are public like discovery; their data is for the realm's web origins, which bring a
 * bearer token (SMART App Launch 2.x §"Access FHIR"), not cookies.
 */
const FHIR_PUBLIC = /^\/fhir\/[^/]+\/(?:metadata|\.well-known\/smart-configuration)$/;
const FHIR = /^\/fhir\/([^/]+)(?:\/|$)/;
const FHIR_REQUEST_HEADERS = ['authorization', 'content-type', 'accept', 'prefer', 'if-match', 'if-none-exist', 'if-none-match'];
const FHIR_RESPONSE_HEADERS = ['ETag', 'Location', 'Last-Modified', 'Content-Location'];

/** Headers a browser client sends to the credentialed endpoints: Basic or Bearer, a form, the tenant (Spreekuur). */
const ALLOWED_HEADERS = ['authorization', 'content-type', 'organisation_agb'];

/** Browsers cache an allowed preflight this long (Chromium caps it at 7200 s). */
const PREFLIGHT_MAX_AGE_S = 600;

const REFUSED: FastifyCorsOptions = { origin: false };

/**
 * CORS (Fetch Standard §3.2) per request with `@fastify/cors`'s delegator: on the credentialed
 * endpoints an origin registered by a client of that realm (`webOrigins`, Keycloak's setting) is
 * echoed with `Access-Control-Allow-Credentials: true`, any other gets no CORS header at all (and
 * its preflight no 2xx); discovery, smart-configuration and the JWKS answer `*` without
 * credentials; the embedded FHIR server's bases answer their realm's web origins (below); every other
 * route (the login pages, the ACS) stays same-origin only.
 * Preflights are matched on the path, since they reach the plugin's catch-all OPTIONS route.
 */
export async function registerCors(fastify: FastifyInstance, config: Pick<Config, 'realms'>): Promise<void> {
  const originsByRealm = new Map(config.realms.map((realm) => [realm.name, realmWebOrigins(realm)]));
  await fastify.register(cors, {
    delegator: (request: FastifyRequest, callback: (error: Error | null, options: FastifyCorsOptions) => void) =>
      callback(null, corsOptionsFor(request, originsByRealm)),
  });
}

function corsOptionsFor(request: FastifyRequest, originsByRealm: ReadonlyMap<string, ReadonlySet<string>>): FastifyCorsOptions {
  const path = request.url.split('?', 1)[0]!;
  if (PUBLIC.test(path) || FHIR_PUBLIC.test(path)) return { origin: '*', methods: ['GET'], maxAge: PREFLIGHT_MAX_AGE_S };
  const origin = request.headers.origin;
  const fhirRealm = FHIR.exec(path)?.[1];
  if (fhirRealm !== undefined) {
    if (origin === undefined || !originsByRealm.get(fhirRealm)?.has(origin)) return REFUSED;
    return {
      origin,
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: FHIR_REQUEST_HEADERS,
      exposedHeaders: FHIR_RESPONSE_HEADERS,
      maxAge: PREFLIGHT_MAX_AGE_S,
    };
  }
  const realm = CREDENTIALED.exec(path)?.[1];
  if (realm === undefined || origin === undefined || !originsByRealm.get(realm)?.has(origin)) return REFUSED;
  return {
    origin,
    credentials: true,
    methods: ['GET', 'POST'],
    allowedHeaders: ALLOWED_HEADERS,
    // RFC 6750 §3: a bearer error's details are in this header; a page can read it only if exposed.
    exposedHeaders: ['WWW-Authenticate'],
    maxAge: PREFLIGHT_MAX_AGE_S,
  };
}
