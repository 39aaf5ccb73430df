import { errors, jwtVerify, type JWTPayload } from 'jose';
import { authorizationLines } from '../protocol/authorization-header.js';
import { bearerCredentials } from '../protocol/bearer-token.js';
import { parseOrganisationAgb } from './organisation-agb.js';
import { IssuerKeySet, KeySetUnavailableError } from '../protocol/issuer-key-set.js';

export { KeySetUnavailableError } from '../protocol/issuer-key-set.js';

/**
 * For resource servers (a FHIR server, a GP system / XIS) that trust this service: verifies the
 * bearer access token (RFC 9068 §4: `typ` at+jwt, issuer, audience, signature from the realm's
 * JWKS) and that the `organisation_agb` header names the tenant the token was issued for.
 * Import it from `federation-service/resource-server`. It checks the token offline; a server that
 * must see revocations and logouts within the token's few minutes calls introspection instead.
 * A refused token is a {@link ResourceAccessError}; a JWKS that cannot be read (unreachable, timed out,
 * not a 200 with a key set) when the token needs it is a {@link KeySetUnavailableError}, for a 503:
 * never `invalid_token`, which would make the client throw a good token away. The last key set read
 * stays in use while the issuer's JWKS is down (protocol/issuer-key-set.ts).
 */
export interface ResourceServerOptions {
  /** The realm's issuer, e.g. `https://auth.example/realms/nemlogin`. */
  issuer: string;
  /** This resource server's identifier, as the tokens' `aud` names it (e.g. `xis`). */
  audience: string;
  /** Refuse requests without `organisation_agb` (multi-tenant APIs: true). Default true. */
  requireTenant?: boolean;
  /** Defaults to `{issuer}/protocol/openid-connect/certs`. */
  jwksUri?: string;
  /** Seconds of clock difference tolerated. Default 30. */
  clockTolerance?: number;
}

export interface VerifiedAccess {
  claims: JWTPayload & { organisation_agb?: string; patient?: string; user_type?: string; scope?: string };
  /**
   * The AGB code the token was issued for, which the header (when sent) names too; undefined only for
   * a token of no tenant. Without the header (`requireTenant: false`) a tenant-bound token keeps its
   * tenant: a server that scopes its data by it never takes such a token for one of no organisation.
   */
  tenant: string | undefined;
}

/** Why a request was refused, with the RFC 6750 §3.1 error and the HTTP status to answer with. */
export class ResourceAccessError extends Error {
  constructor(
    readonly status: 400 | 401 | 403,
    readonly error: 'invalid_request' | 'invalid_token' | 'insufficient_scope',
    message: string,
  ) {
    super(message);
    this.name = 'ResourceAccessError';
  }
}

export type HeaderBag = Record<string, string | string[] | undefined>;

/**
 * Verifies a request's headers. `rawHeaders` (node's `request.rawHeaders`), when given, lets it refuse
 * an `Authorization` header sent twice, which node's `headers` shows as its first only while a proxy
 * in front may have read the last (protocol/authorization-header.ts: RFC 9110 §5.3, RFC 6750 §2).
 */
export type AccessVerifier = (headers: HeaderBag, rawHeaders?: readonly string[]) => Promise<VerifiedAccess>;

export function createAccessVerifier(options: ResourceServerOptions): AccessVerifier {
  const keys = new IssuerKeySet(new URL(options.jwksUri ?? `${options.issuer}/protocol/openid-connect/certs`)).getKey;
  const requireTenant = options.requireTenant ?? true;
  return async (headers, rawHeaders) => {
    if (rawHeaders !== undefined && authorizationLines(rawHeaders) > 1)
      throw new ResourceAccessError(400, 'invalid_request', 'Authorization header sent more than once');
    const token = bearerCredentials(single(headers.authorization));
    if (token === undefined) throw new ResourceAccessError(401, 'invalid_token', 'no bearer token');
    const { payload } = await jwtVerify(token, keys, {
      issuer: options.issuer,
      audience: options.audience,
      typ: 'at+jwt',
      algorithms: ['ES256', 'RS256', 'PS256', 'EdDSA'],
      clockTolerance: options.clockTolerance ?? 30,
      // RFC 9068 §2.2: required in every JWT access token; without `exp` jose would let it live forever.
      requiredClaims: ['exp', 'iat', 'sub', 'client_id', 'jti'],
    }).catch((error: unknown) => {
      if (error instanceof KeySetUnavailableError) throw error;
      // Anything else that is no jose refusal of the token is not the token's fault either.
      if (!(error instanceof errors.JOSEError)) throw new KeySetUnavailableError(error);
      throw new ResourceAccessError(401, 'invalid_token', `token rejected: ${error.message}`);
    });
    const claims = payload as VerifiedAccess['claims'];
    const header = headers.organisation_agb;
    if (header === undefined) {
      if (requireTenant) throw new ResourceAccessError(400, 'invalid_request', 'organisation_agb header missing');
      return { claims, tenant: typeof claims.organisation_agb === 'string' ? claims.organisation_agb : undefined };
    }
    const parsed = parseOrganisationAgb(Array.isArray(header) ? header.join(',') : header);
    if (!parsed.ok) throw new ResourceAccessError(400, 'invalid_request', `malformed organisation_agb: ${parsed.reason}`);
    if (claims.organisation_agb !== parsed.code)
      throw new ResourceAccessError(403, 'insufficient_scope', 'token issued for another organisation');
    return { claims, tenant: parsed.code };
  };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? undefined : value;
}
