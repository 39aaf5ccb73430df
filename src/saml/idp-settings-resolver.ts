import { validCertificates } from './certificate-validity.js';
import type { IdpMetadata } from './metadata/idp-metadata.js';
import type { IdpSettings, IdpStaticSettings } from './saml-settings.js';

/**
 * The IdP's values as they stand at `now`: each one written in the config wins over the metadata's;
 * only certificates inside their validity period are handed to the workers. Undefined when the IdP
 * cannot be used now (fail closed): no entity id or SSO endpoint, no signing certificate valid now,
 * or metadata past its validUntil (SAML Metadata 2.0 §2.3.1) and nothing fresher.
 */
export function resolveIdpSettings(base: IdpStaticSettings, metadata: IdpMetadata | undefined, now: Date): IdpSettings | undefined {
  const current = metadata?.validUntil && metadata.validUntil.getTime() <= now.getTime() ? undefined : metadata;
  const entityId = base.configured.entityId ?? current?.entityId;
  const ssoUrl = base.configured.ssoUrl ?? current?.ssoUrl;
  const certificates = validCertificates(base.configured.signingCertificates ?? current?.signingCertificates ?? [], now);
  if (!entityId || !ssoUrl || certificates.length === 0) return undefined;
  return {
    ...base,
    idpEntityId: entityId,
    sloUrl: base.configured.sloUrl ?? current?.sloUrl,
    worker: { ...base.worker, ssoUrl, idpCertificates: certificates },
  };
}

/** Why {@link resolveIdpSettings} gives nothing, for the log. */
export function unavailableReason(base: IdpStaticSettings, metadata: IdpMetadata | undefined, now: Date): string {
  const stale = metadata?.validUntil !== undefined && metadata.validUntil.getTime() <= now.getTime();
  const current = stale ? undefined : metadata;
  const { configured } = base;
  const missing = !(configured.entityId ?? current?.entityId) || !(configured.ssoUrl ?? current?.ssoUrl);
  if (missing || !(configured.signingCertificates ?? current?.signingCertificates)?.length) {
    if (base.metadata && !metadata) return 'no good metadata yet';
    if (stale) return 'metadata past its validUntil';
    if (missing) return 'no entity id or HTTP-Redirect SingleSignOnService';
  }
  return 'no signing certificate valid now';
}
