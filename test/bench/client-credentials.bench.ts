import { BARE_ROUTE_CLIENT, BARE_ROUTE_TOKEN_PATH } from './peers/bare-route.peer.js';
import { PEER_CLIENT, PEER_TOKEN_PATH } from './peers/oidc-provider.peer.js';
import { runLoad, type LoadResult } from './load.js';

const DEMO_PORTAL = { id: 'portal', secret: 'demo-portal-secret', scope: 'xis', tenant: '01234567' };

interface BenchClient {
  id: string;
  secret: string;
  scope: string;
  /** Sent as `organisation_agb`, where the endpoint binds the client to a tenant. */
  tenant?: string;
}

/** RFC 6749 §4.4 grants, client_secret_basic (§2.3.1), from the one load generator every contender shares. */
function clientCredentialsLoad(name: string, url: string, client: BenchClient, durationSeconds?: number): Promise<LoadResult> {
  return runLoad({
    name,
    url,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
      ...(client.tenant === undefined ? {} : { organisation_agb: client.tenant }),
    },
    body: `grant_type=client_credentials&scope=${client.scope}`,
    durationSeconds,
  });
}

/** Against the demo `portal` client, tenant-bound, ES256 (demo realm nemlogin). */
export function benchClientCredentials(baseUrl: string, durationSeconds?: number): Promise<LoadResult> {
  const url = `${baseUrl}/realms/nemlogin/protocol/openid-connect/token`;
  return clientCredentialsLoad('client_credentials (ES256, basic auth)', url, DEMO_PORTAL, durationSeconds);
}

/** The same request to the oidc-provider peer (peers/oidc-provider.peer.ts): its `portal` client, ES256 JWT for `xis`. */
export function benchPeerClientCredentials(baseUrl: string, durationSeconds?: number): Promise<LoadResult> {
  return clientCredentialsLoad('client_credentials, oidc-provider peer', `${baseUrl}${PEER_TOKEN_PATH}`, PEER_CLIENT, durationSeconds);
}

/** The same request to the bare Fastify route (peers/bare-route.peer.ts), which does only what no grant can skip. */
export function benchBareRouteClientCredentials(baseUrl: string, durationSeconds?: number): Promise<LoadResult> {
  const url = `${baseUrl}${BARE_ROUTE_TOKEN_PATH}`;
  return clientCredentialsLoad('client_credentials, bare Fastify route', url, BARE_ROUTE_CLIENT, durationSeconds);
}
