import { z } from 'zod';
import { wholeNumber } from './shared-values.schema.js';

/**
 * What an anonymous poster can make the SAML worker pool do (src/saml/saml-workers.ts,
 * src/saml/xml-prechecks.ts). The XML limit defaults are DEFAULT_XML_LIMITS there; the minimums keep
 * every real NemLog-in or eHealth Response acceptable.
 */
export const samlSchema = z
  .strictObject({
    /** From when a worker starts on a Response: past it the worker is terminated and restarted, and the Response refused. */
    validationTimeoutMs: wholeNumber(100, 60_000, 'must be between 100 and 60000 milliseconds').default(2000),
    /** Responses waiting for a worker beyond this many are answered 503 at once, instead of slowing every login. */
    maxQueue: wholeNumber(0, 10_000, 'must be a whole number from 0 to 10000').default(64),
    /**
     * An IdP's LogoutRequests and LogoutResponses waiting for a worker: an allowance of their own, so
     * that a flood of ACS posts cannot shed the logout that ends a person's sessions, nor forged
     * logouts beyond this many block logins. Beyond it they are answered 503 at once.
     */
    maxLogoutQueue: wholeNumber(0, 10_000, 'must be a whole number from 0 to 10000').default(16),
    xmlLimits: z
      .strictObject({
        maxElements: wholeNumber(
          200,
          1_000_000,
          'must be a whole number of at least 200 (a real Response has up to ~120 elements)',
        ).default(500),
        maxDepth: wholeNumber(12, 1000, 'must be a whole number of at least 12 (a real Response nests up to 8 deep)').default(24),
        maxAttributesPerElement: wholeNumber(
          16,
          10_000,
          'must be a whole number of at least 16 (a real Response has up to ~10 on one element)',
        ).default(32),
        /** Namespace declarations included: they set what canonicalisation costs (saml/xml-prechecks.ts). */
        maxAttributes: wholeNumber(
          200,
          1_000_000,
          'must be a whole number of at least 200 (a real Response has up to ~125 in all)',
        ).default(500),
      })
      .prefault({}),
  })
  .prefault({});

/** The realm's SAML service provider: signs AuthnRequests, decrypts encrypted assertions. */
export const serviceProviderSchema = z.strictObject({
  /** Defaults to the realm's issuer URL. */
  entityId: z.string().min(1).optional(),
  signingKey: z.string().min(1),
  signingCertificate: z.string().min(1),
  decryptionKey: z.string().min(1).optional(),
  /** Published in the SP metadata so the IdP can encrypt to it; may instead follow the key in its PEM. */
  decryptionCertificate: z.string().min(1).optional(),
});
