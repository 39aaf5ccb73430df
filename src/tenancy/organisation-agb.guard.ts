import { HttpException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { bearerChallenge } from '../protocol/bearer-challenge.js';
import {
  createAccessVerifier,
  type AccessVerifier,
  KeySetUnavailableError,
  ResourceAccessError,
  type HeaderBag,
  type ResourceServerOptions,
  type VerifiedAccess,
} from './resource-server.js';

/**
 * A Nest guard for resource servers built on this project: the request must carry a valid access
 * token of the configured issuer and audience, and an `organisation_agb` naming the token's tenant.
 * The verified access is left on `request.access`. Refusals answer with the RFC 6750 §3 challenge
 * (with no error code when the request carried no Authorization header, §3.1); an issuer whose key set
 * cannot be read, with a 503.
 */
export class OrganisationAgbGuard implements CanActivate {
  private readonly verify: AccessVerifier;
  /** The protection space of the challenge (RFC 6750 §3): this resource server, as the tokens' `aud` names it. */
  private readonly realm: string;

  constructor(options: ResourceServerOptions) {
    this.verify = createAccessVerifier(options);
    this.realm = options.audience;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<{
      headers: HeaderBag;
      access?: VerifiedAccess;
      rawHeaders?: string[];
      raw?: { rawHeaders?: string[] };
    }>();
    try {
      // Fastify's request keeps node's under `raw`; Express's is node's.
      request.access = await this.verify(request.headers, request.raw?.rawHeaders ?? request.rawHeaders);
      return true;
    } catch (error) {
      // The issuer's keys out of reach: the client may retry with the same token (tokens/token-errors.ts).
      if (error instanceof KeySetUnavailableError) throw new HttpException({ error: 'temporarily_unavailable' }, 503);
      if (!(error instanceof ResourceAccessError)) throw error;
      // RFC 6750 §3.1: a request with no credentials at all is challenged without an error code.
      const challenge = bearerChallenge(this.realm, request.headers.authorization === undefined ? undefined : error.error);
      context.switchToHttp().getResponse<{ header(name: string, value: string): unknown }>().header('WWW-Authenticate', challenge);
      throw new HttpException({ error: error.error }, error.status);
    }
  }
}
