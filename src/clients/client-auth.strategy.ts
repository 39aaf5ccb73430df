import type { FastifyRequest } from 'fastify';
import type passport from 'passport';
import { Strategy } from 'passport-custom';
import type { ClientAuthenticator } from './client-authenticator.js';
import { readPresentedCredentials } from './client-credentials.reader.js';
import type { ClientAuthMethod, RegisteredClient } from './registered-client.js';

/**
 * One passport strategy per client authentication method. A strategy handles only requests that
 * present its method and otherwise fails, so passport moves on to the next; a presented but wrong
 * credential is an error, which stops passport at once.
 */
export function clientAuthStrategy(method: ClientAuthMethod, authenticator: ClientAuthenticator): passport.Strategy {
  const verify = async (request: FastifyRequest): Promise<RegisteredClient | false> => {
    const presented = readPresentedCredentials(request);
    return presented.method === method ? authenticator.authenticate(request, presented) : false;
  };
  const strategy = new Strategy((request, done) => {
    verify(request as unknown as FastifyRequest).then(
      (client) => done(null, client),
      (error: unknown) => done(error),
    );
  });
  Object.defineProperty(strategy, 'name', { value: method });
  return strategy;
}
