import type { ClientConfig } from '../config/client-config.schema.js';
import type { RealmConfig } from '../config/config.schema.js';

/**
 * The browser origins a client's pages run on (Keycloak's "Web origins"): the listed origins, with
 * `+` standing for the origins of its redirect URIs (Keycloak's `+`).
 */
export function clientWebOrigins(client: Pick<ClientConfig, 'webOrigins' | 'redirectUris'>): string[] {
  return client.webOrigins.flatMap((origin) => (origin === '+' ? client.redirectUris.map((uri) => new URL(uri).origin) : [origin]));
}

/** Every origin any client of the realm runs on: who may call its credentialed endpoints from a browser. */
export function realmWebOrigins(realm: Pick<RealmConfig, 'clients'>): Set<string> {
  return new Set(realm.clients.flatMap(clientWebOrigins));
}
