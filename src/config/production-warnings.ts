import { isIPv4 } from 'node:net';
import type { Config } from './config.schema.js';

/** A choice production allows but an operator should make knowingly: the key it is about, and why. */
export interface ProductionWarning {
  key: string;
  reason: string;
}

/**
 * What a production config may do but should not without a reason (README, "Production"): unlike
 * what refineProduction refuses, each has a deployment where it is right, such as plain http inside a
 * network whose sidecars encrypt (a service mesh), or one embedded instance for a small practice. So
 * the start and `config:check` say it, and the service runs.
 */
export function productionWarnings(config: Config, now = new Date()): ProductionWarning[] {
  if (config.environment !== 'production') return [];
  const warnings: ProductionWarning[] = [];
  if (config.database.url === '')
    warnings.push({
      key: 'database.url',
      reason:
        'empty: embedded PGlite, which one process holds, so no second instance can share its sessions, and its data directory is the only copy of them',
    });
  const plainHttp = (key: string, url: string | undefined, what: string) => {
    if (url !== undefined && URL.parse(url)?.protocol === 'http:') warnings.push({ key, reason: `plain http: ${what}` });
  };
  const fhir = 'patient and practitioner records, and the bearer token if one is configured, cross the network in the clear';
  plainHttp('fhir.baseUrl', config.fhir.baseUrl, fhir);
  for (const realm of config.realms) {
    const at = `realms.${realm.name}`;
    plainHttp(`${at}.fhir.baseUrl`, realm.fhir?.baseUrl, fhir);
    for (const idp of realm.identityProviders) {
      const saml = "the person's SAML messages to the national IdP cross the network in the clear";
      plainHttp(`${at}.identityProviders.${idp.alias}.ssoUrl`, idp.ssoUrl, saml);
      plainHttp(`${at}.identityProviders.${idp.alias}.sloUrl`, idp.sloUrl, saml);
    }
    for (const client of realm.clients) {
      const of = `${at}.clients.${client.clientId}`;
      plainHttp(
        `${of}.backchannelLogoutUri`,
        client.backchannelLogoutUri,
        'logout tokens, naming the user and the session, cross the network in the clear (OpenID Connect Back-Channel Logout 1.0 §2.5)',
      );
      if (client.tokenExchange && client.tokenExchange.subjectClients === undefined)
        warnings.push({
          key: `${of}.tokenExchange.subjectClients`,
          reason:
            'absent: this client may exchange any live access token of the realm, whichever client it was issued to (RFC 8693 §2.1 leaves to the server which subject tokens a client may exchange; name the clients whose tokens it is meant to receive)',
        });
      // Harmless (the secret is refused from then on), but a credential nobody may use no longer belongs in the config.
      if (client.previousSecret && Date.parse(client.previousSecret.until) <= now.getTime())
        warnings.push({ key: `${of}.previousSecret.until`, reason: 'passed: the previous secret is refused since; remove previousSecret' });
      client.redirectUris.forEach((uri, u) => {
        // RFC 8252 §7.3: a native app's loopback redirect never leaves the machine.
        if (!isLoopback(uri))
          plainHttp(
            `${of}.redirectUris[${u}]`,
            uri,
            'authorization codes cross the network in the clear (RFC 6749 §3.1.2.1: TLS SHOULD be required)',
          );
      });
    }
  }
  return warnings;
}

function isLoopback(uri: string): boolean {
  const host = URL.parse(uri)?.hostname;
  // An IPv4 literal in 127.0.0.0/8, not a name that begins so (`127.0.0.1.nip.io` resolves anywhere).
  return host === 'localhost' || host === '[::1]' || (host !== undefined && isIPv4(host) && host.startsWith('127.'));
}
