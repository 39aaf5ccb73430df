import { sloRequestEndpoint, sloResponseUrls } from '../idp-settings-resolver.js';
import type { IdpStaticSettings } from '../saml-settings.js';
import type { IdpMetadata } from './idp-metadata.js';

export interface PlainHttpEndpoint {
  endpoint: 'SingleSignOnService' | 'SingleLogoutService';
  url: string;
}

/**
 * The plain http endpoints of an IdP's metadata that this SP would use, each URL once: where
 * AuthnRequests go, and where LogoutRequests and LogoutResponses go, as resolveIdpSettings picks them
 * from the metadata (its helpers, given no hand-written value), unless the config writes its own.
 * The person's SAML messages would cross the network in the clear. SAML Metadata 2.0 §2.2.2 allows
 * any URI; production warns rather than refuses, as for a `ssoUrl` written in the config
 * (production-warnings.ts), since a mesh's sidecars may encrypt below it.
 */
export function plainHttpEndpoints(metadata: IdpMetadata, configured: IdpStaticSettings['configured']): PlainHttpEndpoint[] {
  const used: { endpoint: PlainHttpEndpoint['endpoint']; url: string | undefined }[] = [];
  if (!configured.ssoUrl) used.push({ endpoint: 'SingleSignOnService', url: metadata.ssoUrl });
  if (!configured.sloUrl) {
    const responses = sloResponseUrls({}, metadata);
    for (const url of [sloRequestEndpoint({}, metadata).sloUrl, responses?.redirect, responses?.post])
      used.push({ endpoint: 'SingleLogoutService', url });
  }
  const plain = new Map<string, PlainHttpEndpoint>();
  for (const { endpoint, url } of used)
    if (url !== undefined && !plain.has(url) && URL.parse(url)?.protocol === 'http:') plain.set(url, { endpoint, url });
  return [...plain.values()];
}
