import type { FastifyRequest } from 'fastify';
import { decodeJwt } from 'jose';
import { authorizationHeader } from '../protocol/authorization-header.js';
import { FormParams } from '../protocol/form-params.js';
import { OAuthError } from '../protocol/oauth-error.js';
import { JWT_BEARER_ASSERTION_TYPE } from './client-assertion.verifier.js';
import type { ClientAuthMethod } from './registered-client.js';

/** What the request presents to authenticate its client; exactly one method (RFC 6749 §2.3). */
export type PresentedCredentials =
  | { method: 'client_secret_basic'; clientId: string; secret: string }
  | { method: 'client_secret_post'; clientId: string; secret: string }
  | { method: 'private_key_jwt'; assertion: string; clientId: string | undefined }
  | { method: 'none'; clientId: string };

/**
 * `refreshTokenNamesClient`: at the token endpoint, a refresh that identifies no client is the refresh
 * token's client's (see refreshTokenClient); introspection and revocation do not read it.
 */
export function readPresentedCredentials(request: FastifyRequest, { refreshTokenNamesClient = false } = {}): PresentedCredentials {
  const params = FormParams.fromRequest(request);
  const authorization = authorizationHeader(request);
  const presented: ClientAuthMethod[] = [];
  if (authorization !== undefined) presented.push('client_secret_basic');
  if (params.has('client_secret')) presented.push('client_secret_post');
  if (params.has('client_assertion') || params.has('client_assertion_type')) presented.push('private_key_jwt');
  if (presented.length > 1) throw new OAuthError('invalid_request', `several client authentication methods: ${presented.join(', ')}`);

  switch (presented[0]) {
    case 'client_secret_basic': {
      const basic = parseBasic(authorization!);
      const bodyClientId = params.get('client_id');
      if (bodyClientId !== undefined && bodyClientId !== basic.clientId) {
        throw new OAuthError('invalid_request', 'client_id differs from the Authorization header');
      }
      return { method: 'client_secret_basic', ...basic };
    }
    case 'client_secret_post':
      return { method: 'client_secret_post', clientId: params.require('client_id'), secret: params.require('client_secret') };
    case 'private_key_jwt':
      if (params.require('client_assertion_type') !== JWT_BEARER_ASSERTION_TYPE) {
        throw new OAuthError('invalid_client', 'unsupported client_assertion_type');
      }
      return { method: 'private_key_jwt', assertion: params.require('client_assertion'), clientId: params.get('client_id') };
    default: {
      const clientId = params.get('client_id') ?? (refreshTokenNamesClient ? refreshTokenClient(params) : undefined);
      if (clientId === undefined) throw new OAuthError('invalid_client', 'no client authentication');
      return { method: 'none', clientId };
    }
  }
}

/**
 * The client a refresh token sent without any client identification was issued to. RFC 6749 §6 asks
 * a public client for no `client_id` on a refresh, and fhirclient sends none by default
 * (`refreshTokenWithClientId`). Read without checking the MAC: it only names the client to try, as a
 * `client_id` would. Method `none` passes only for a public client, so a confidential client's token
 * still needs its credentials, and the refresh grant then checks the MAC and that the token is this
 * client's.
 */
function refreshTokenClient(params: FormParams): string | undefined {
  if (params.get('grant_type') !== 'refresh_token') return undefined;
  const token = params.get('refresh_token');
  try {
    const clientId = token === undefined ? undefined : decodeJwt(token).client_id;
    return typeof clientId === 'string' && clientId !== '' ? clientId : undefined;
  } catch {
    return undefined;
  }
}

/**
 * RFC 6749 §2.3.1: id and secret are form-encoded, then joined by a colon and base64-encoded. The
 * scheme is followed by one or more spaces (RFC 9110 §11.4 `1*SP`).
 */
function parseBasic(header: string): { clientId: string; secret: string } {
  const match = /^Basic +([A-Za-z0-9+/]+={0,2})$/i.exec(header.trim());
  if (!match) throw new OAuthError('invalid_client', 'Authorization header is not Basic');
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) throw new OAuthError('invalid_client', 'Basic credentials without a client id');
  try {
    return {
      clientId: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')),
      secret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' ')),
    };
  } catch {
    throw new OAuthError('invalid_client', 'Basic credentials are not form-encoded');
  }
}
