import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

/**
 * The peer of `npm run bench` (issue 14): `oidc-provider`, the OpenID-certified Node server, set up
 * like our demo `portal` client — client_secret_basic, client_credentials, ES256 JWT access tokens
 * for the `xis` resource (RFC 8707 resource indicators, RFC 9068 format) — and run in its own
 * process, as ours is, so the two can be driven alike and compared in one run.
 *
 * Started by peers.ts as `node dist/test/bench/peers/oidc-provider.peer.js` with PORT set.
 */
export const PEER_CLIENT = { id: 'portal', secret: 'demo-portal-secret', scope: 'xis' };
export const PEER_TOKEN_PATH = '/token';

async function main(): Promise<void> {
  const port = Number(process.env.PORT);
  const issuer = `http://127.0.0.1:${port}`;
  const signingKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: PEER_CLIENT.id,
        client_secret: PEER_CLIENT.secret,
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        scope: PEER_CLIENT.scope,
        // The only key is ES256, and ID tokens default to RS256 otherwise (none are issued here).
        id_token_signed_response_alg: 'ES256',
      },
    ],
    jwks: { keys: [{ ...signingKey, kid: 'peer-es256', alg: 'ES256', use: 'sig' }] },
    scopes: [PEER_CLIENT.scope],
    ttl: { ClientCredentials: 300 },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // RFC 8707 §2 wants an absolute URI; the token's audience is `xis`, as ours.
        defaultResource: () => 'urn:bench:xis',
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: PEER_CLIENT.scope,
          audience: 'xis',
          accessTokenTTL: 300,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        }),
      },
    },
  });
  provider.listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
}

if (process.argv[1]?.endsWith('oidc-provider.peer.js')) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
