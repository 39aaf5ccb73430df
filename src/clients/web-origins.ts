import type { ClientConfig } from '../config/client-config.schema.js';
import type { RealmConfig } from '../config/config.schema.js';

/**
 * The browser origins a client's pages run on (Keycloak's "Web origins"): the listed origins, with
 * `+` standing for the origins of its http(s) redirect URIs (Keycloak's `+`). A native app's
 * private-use scheme (RFC 8252 §7.1, `dk.sundhed.app:/cb`) has no web origin: its URL's origin is the
 * opaque "null", which any sandboxed frame or data: page also sends (RFC 6454 §7.3), so it never counts.
 */
export function clientWebOrigins(client: Pick<ClientConfig, 'webOrigins' | 'redirectUris'>): string[] {
  return client.webOrigins.flatMap((origin) => (origin === '+' ? client.redirectUris.flatMap(webOriginOf) : [origin]));
}

function webOriginOf(uri: string): string[] {
  const url = new URL(uri);
  return url.protocol === 'https:' || url.protocol === 'http:' ? [url.origin] : [];
}

/** Every origin any client of the realm runs on: who may call its credentialed endpoints from a browser. */
export function realmWebOrigins(realm: Pick<RealmConfig, 'clients'>): Set<string> {
  return new Set(realm.clients.flatMap(clientWebOrigins));
}
