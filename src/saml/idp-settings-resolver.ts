import { validCertificates, type TrustedCertificate } from './certificate-validity.js';
import type { IdpMetadata } from './metadata/idp-metadata.js';
import type { IdpSettings, IdpStaticSettings } from './saml-settings.js';

/**
 * The IdP's values as they stand at `now`: each one written in the config wins over the metadata's;
 * only certificates inside their validity period are handed to the workers. Undefined when the IdP
 * cannot be used now (fail closed): no entity id or SSO endpoint, no signing certificate valid now,
 * or metadata past its validUntil (SAML Metadata 2.0 §2.3.1) and nothing fresher.
 */
export function resolveIdpSettings(base: IdpStaticSettings, metadata: IdpMetadata | undefined, now: Date): IdpSettings | undefined {
  const current = currentMetadata(metadata, now);
  const entityId = base.configured.entityId ?? current?.entityId;
  const ssoUrl = base.configured.ssoUrl ?? current?.ssoUrl;
  const certificates = validCertificates(signingCertificates(base, metadata, now), now);
  if (!entityId || !ssoUrl || certificates.length === 0) return undefined;
  return {
    ...base,
    idpEntityId: entityId,
    ...sloRequestEndpoint(base.configured, current),
    sloResponseUrls: sloResponseUrls(base.configured, current),
    worker: { ...base.worker, ssoUrl, idpCertificates: certificates },
  };
}

/** The IdP's signing certificates at `now`, valid or not: those written in the config, else its current metadata's. */
export function signingCertificates(base: IdpStaticSettings, metadata: IdpMetadata | undefined, now: Date): TrustedCertificate[] {
  return base.configured.signingCertificates ?? currentMetadata(metadata, now)?.signingCertificates ?? [];
}

/** The metadata unless past its validUntil (SAML Metadata 2.0 §2.3.1). */
function currentMetadata(metadata: IdpMetadata | undefined, now: Date): IdpMetadata | undefined {
  return metadata?.validUntil && metadata.validUntil.getTime() <= now.getTime() ? undefined : metadata;
}

/**
 * Where and how this SP's LogoutRequests go. A hand-written `sloUrl` in its configured `sloBinding`
 * (HTTP-Redirect unless `post`: an IdP configured by hand with an HTTP-POST-only endpoint). From
 * metadata, the IdP's HTTP-Redirect SingleLogoutService; without one, its HTTP-POST one, by a
 * self-posting form (SAML Bindings §3.5): an IdP offering only HTTP-POST got nothing before, and the
 * person stayed logged in there.
 */
export function sloRequestEndpoint(
  configured: IdpStaticSettings['configured'],
  metadata: IdpMetadata | undefined,
): Pick<IdpSettings, 'sloUrl' | 'sloBinding'> {
  if (configured.sloUrl) return { sloUrl: configured.sloUrl, sloBinding: configured.sloBinding ?? 'redirect' };
  if (metadata?.sloUrl) return { sloUrl: metadata.sloUrl, sloBinding: 'redirect' };
  if (metadata?.sloPostUrl) return { sloUrl: metadata.sloPostUrl, sloBinding: 'post' };
  return {};
}

/**
 * Where LogoutResponses go. A hand-written `sloUrl` wins over the metadata's, ResponseLocations
 * included: an HTTP-Redirect one (the default) takes answers in either binding, as it always has;
 * one configured `sloBinding: post` is an HTTP-POST endpoint and takes them only by HTTP-POST (SAML
 * Metadata §2.2.2: an endpoint is of one binding). From metadata, §2.2.2 per binding: the
 * ResponseLocation, else the Location, of the endpoint in each binding the IdP lists, and none in a
 * binding it does not: a request by that binding is answered in the other (logout-answer-route.ts),
 * never by a form posted to an endpoint the IdP declared for HTTP-Redirect.
 */
export function sloResponseUrls(
  configured: IdpStaticSettings['configured'],
  metadata: IdpMetadata | undefined,
): IdpSettings['sloResponseUrls'] {
  if (configured.sloUrl) {
    return configured.sloBinding === 'post' ? { post: configured.sloUrl } : { redirect: configured.sloUrl, post: configured.sloUrl };
  }
  return { redirect: metadata?.sloResponseUrls?.redirect ?? metadata?.sloUrl, post: metadata?.sloResponseUrls?.post };
}

/** Why {@link resolveIdpSettings} gives nothing, for the log. */
export function unavailableReason(base: IdpStaticSettings, metadata: IdpMetadata | undefined, now: Date): string {
  const current = currentMetadata(metadata, now);
  const stale = metadata !== undefined && current === undefined;
  const { configured } = base;
  const missing = !(configured.entityId ?? current?.entityId) || !(configured.ssoUrl ?? current?.ssoUrl);
  if (missing || signingCertificates(base, metadata, now).length === 0) {
    if (base.metadata && !metadata) return 'no good metadata yet';
    if (stale) return 'metadata past its validUntil';
    if (missing) return 'no entity id or HTTP-Redirect SingleSignOnService';
  }
  return 'no signing certificate valid now';
}
