import { BARE_ROUTE_CLIENT, BARE_ROUTE_TOKEN_PATH } from './peers/bare-route.peer.js';
import { PEER_CLIENT, PEER_TOKEN_PATH } from './peers/oidc-provider.peer.js';
import { runLoad, type LoadResult } from './load.js';

const DEMO_PORTAL = { id: 'portal', secret: 'demo-portal-secret', tenant: '01234567' };

/** RFC 6749 §4.4 grants against the demo `portal` client, tenant-bound, ES256 (demo realm nemlogin). */
export async function benchClientCredentials(baseUrl: string, durationSeconds?: number): Promise<LoadResult> {
  return runLoad({
    name: 'client_credentials (ES256, basic auth)',
    url: `${baseUrl}/realms/nemlogin/protocol/openid-connect/token`,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${DEMO_PORTAL.id}:${DEMO_PORTAL.secret}`).toString('base64')}`,
      organisation_agb: DEMO_PORTAL.tenant,
    },
    body: 'grant_type=client_credentials&scope=xis',
    durationSeconds,
  });
}

/** The same request to the oidc-provider peer (peers/oidc-provider.peer.ts): its `portal` client, ES256 JWT for `xis`. */
export async function benchPeerClientCredentials(baseUrl: string, durationSeconds?: number): Promise<LoadResult> {
  return runLoad({
    name: 'client_credentials, oidc-provider peer',
    url: `${baseUrl}${PEER_TOKEN_PATH}`,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${PEER_CLIENT.id}:${PEER_CLIENT.secret}`).toString('base64')}`,
    },
    body: `grant_type=client_credentials&scope=${PEER_CLIENT.scope}`,
    durationSeconds,
  });
}

/** The same request to the bare Fastify route (peers/bare-route.peer.ts), which does only what no grant can skip. */
export async function benchBareRouteClientCredentials(baseUrl: string, durationSeconds?: number): Promise<LoadResult> {
  return runLoad({
    name: 'client_credentials, bare Fastify route',
    url: `${baseUrl}${BARE_ROUTE_TOKEN_PATH}`,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${BARE_ROUTE_CLIENT.id}:${BARE_ROUTE_CLIENT.secret}`).toString('base64')}`,
      organisation_agb: BARE_ROUTE_CLIENT.tenant,
    },
    body: `grant_type=client_credentials&scope=${BARE_ROUTE_CLIENT.scope}`,
    durationSeconds,
  });
}
