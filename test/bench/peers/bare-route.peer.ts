import { createHash, generateKeyPairSync, randomUUID, timingSafeEqual } from 'node:crypto';
import Fastify from 'fastify';
import { signJws } from '../../../src/tokens/jws.js';

/**
 * The second reference of `npm run bench`'s client_credentials row (issue 14): a bare Fastify route that does
 * only what a client_credentials grant cannot skip — read the form, check the Basic credentials
 * against a secret digest in constant time, sign an ES256 JWT with the service's own signer (jws.ts:
 * node:crypto with the bare KeyObject, twice the rate of the options-object call), answer JSON — and
 * nothing a service must also do (realms, scopes, tenant binding, audit, logging, metrics, headers).
 * Run in its own process beside ours and the oidc-provider peer, it shows in the same run how much
 * faster than the peer a Node server can be on this machine, with the load generator on the same cores.
 *
 * Started by peers.ts as `node dist/test/bench/peers/bare-route.peer.js` with PORT set.
 */
export const BARE_ROUTE_CLIENT = { id: 'portal', secret: 'demo-portal-secret', scope: 'xis', tenant: '01234567' };
export const BARE_ROUTE_TOKEN_PATH = '/token';

const sha256 = (text: string) => createHash('sha256').update(text).digest();

async function main(): Promise<void> {
  const port = Number(process.env.PORT);
  const issuer = `http://127.0.0.1:${port}`;
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const header = { alg: 'ES256', typ: 'at+jwt', kid: 'bare-es256' } as const;
  const secretDigest = sha256(BARE_ROUTE_CLIENT.secret);

  const app = Fastify({ logger: false });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.post(BARE_ROUTE_TOKEN_PATH, async (request, reply) => {
    // RFC 6749 §2.3.1; the id and secret of the bench client need no form-decoding.
    const basic = Buffer.from((request.headers.authorization ?? '').slice('Basic '.length), 'base64').toString();
    const colon = basic.indexOf(':');
    const form = request.body as Record<string, string>;
    if (
      colon < 0 ||
      basic.slice(0, colon) !== BARE_ROUTE_CLIENT.id ||
      !timingSafeEqual(sha256(basic.slice(colon + 1)), secretDigest) ||
      form.grant_type !== 'client_credentials'
    ) {
      return reply.code(401).send({ error: 'invalid_client' });
    }
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: issuer,
      sub: BARE_ROUTE_CLIENT.id,
      aud: BARE_ROUTE_CLIENT.scope,
      exp: now + 300,
      iat: now,
      jti: randomUUID(),
      client_id: BARE_ROUTE_CLIENT.id,
      scope: form.scope,
      user_type: 'SYSTEM',
      organisation_agb: request.headers.organisation_agb,
    };
    return { access_token: signJws(header, claims, privateKey), token_type: 'Bearer', expires_in: 300, scope: form.scope };
  });
  await app.listen({ port, host: '127.0.0.1' });
  process.stdout.write('ready\n');
}

if (process.argv[1]?.endsWith('bare-route.peer.js')) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
