import { z } from 'zod';
import { httpUrl, wholeNumber } from './shared-values.schema.js';

/** Where an IdP's SAML metadata (SAML Metadata 2.0 §2.4.3 IDPSSODescriptor) comes from, and how it is trusted. */
const identityProviderMetadataFields = {
  /**
   * The IdP's metadata document, fetched at start and every `metadataRefreshSeconds` (and, rate-limited,
   * when a Response's signature fails): entity id, SSO and SLO endpoints and signing certificates. In
   * production a plain http URL also needs `metadataSigningCertificate` (refineProduction in config.schema.ts).
   */
  metadataUrl: httpUrl.optional(),
  /** The same from a local file (re-read on the same schedule). */
  metadataFile: z.string().min(1).optional(),
  /**
   * PEM file path or inline PEM: the metadata must then carry an enveloped signature by this
   * certificate's key (SAML Metadata 2.0 §3), else it is refused and the last good copy stays.
   */
  metadataSigningCertificate: z.string().min(1).optional(),
  metadataRefreshSeconds: wholeNumber(1, 604_800, 'must be a whole number of seconds from 1 to 604800 (a week)').default(3600),
};

/** The attribute profiles (saml/profiles/). */
const PROFILES = ['oiosaml3-citizen', 'dk-clinician', 'nl-citizen', 'generic'] as const;

/**
 * The `attributes` keys each profile reads (saml/profiles/*.profile.ts; `loa` saml.service.ts, for
 * all). Any other key would be ignored: a generic IdP's `externalID` typo would key its users by the
 * NameID instead, and correcting it later would make every one of them a new user.
 */
const ATTRIBUTE_KEYS: Record<(typeof PROFILES)[number], readonly string[]> = {
  'oiosaml3-citizen': ['loa'],
  'dk-clinician': ['loa'],
  'nl-citizen': ['bsn', 'givenName', 'familyName', 'loa'],
  generic: ['externalId', 'givenName', 'familyName', 'name', 'loa'],
};

/**
 * A realm's SAML identity provider: described by hand, by its metadata, or both (the hand-written values
 * win). Kept beside config.schema.ts, which places it under `realms[].identityProviders`.
 */
export const identityProviderSchema = z
  .strictObject({
    alias: z.string().regex(/^[a-z0-9-]+$/, 'may contain only lowercase letters, digits and -'),
    profile: z.enum(PROFILES),
    /**
     * The IdP's SAML entity id: the only accepted `Issuer`. With metadata, optional: given, it picks
     * the EntityDescriptor of that entityID from the document (and wins over it).
     */
    entityId: z.string().min(1).optional(),
    /** SSO endpoint for the HTTP-Redirect binding; with metadata, optional (and wins over it). */
    ssoUrl: httpUrl.optional(),
    /**
     * SingleLogoutService (SAML Profiles §4.4): where this SP's LogoutRequests (RP-initiated logout) and
     * its LogoutResponses to the IdP's LogoutRequests go. Without it (and without one in the metadata),
     * logout ends only the sessions here.
     */
    sloUrl: httpUrl.optional(),
    /**
     * The binding the hand-written `sloUrl` takes (SAML Bindings §3.4 HTTP-Redirect, §3.5 HTTP-POST):
     * `redirect` (the default) or `post`, for an IdP whose SingleLogoutService takes only HTTP-POST.
     * Metadata names the binding of each of its endpoints, so this goes only with `sloUrl`.
     */
    sloBinding: z.enum(['redirect', 'post'], { error: 'must be redirect or post (the SAML binding the sloUrl takes)' }).optional(),
    /** PEM file paths or inline PEM; several during a certificate rollover. Given, they replace the metadata's. */
    signingCertificates: z.array(z.string().min(1)).min(1).optional(),
    ...identityProviderMetadataFields,
    /**
     * Which SAML attribute holds what the profile reads (ATTRIBUTE_KEYS above: `loa` for every profile;
     * `generic`: `externalId`, `givenName`, `familyName`, `name`; `nl-citizen`: `bsn`, `givenName`, `familyName`).
     */
    attributes: z.record(z.string(), z.string()).optional(),
    /** Shown on the IdP chooser page. */
    displayName: z.string().min(1).optional(),
    /**
     * An assertion whose AuthnInstant is older than this is refused: the IdP's authentication is
     * stale (2 hours, as Spring Security SAML's `maxAuthenticationAge`).
     */
    maxAuthenticationAgeSeconds: wholeNumber(1, Number.MAX_SAFE_INTEGER, 'must be a whole number of seconds from 1').default(7200),
    /**
     * Accept assertions this IdP encrypts with AES-CBC besides AES-GCM. Off: CBC in XML Encryption is
     * open to a padding oracle (saml/worker/content-encryption.mjs); only for an IdP that cannot use GCM.
     */
    acceptAesCbc: z.boolean().default(false),
  })
  .superRefine((idp, ctx) => {
    const reads = ATTRIBUTE_KEYS[idp.profile];
    for (const key of Object.keys(idp.attributes ?? {})) {
      if (!reads.includes(key))
        ctx.addIssue({
          code: 'custom',
          path: ['attributes', key],
          message: `the ${idp.profile} profile reads no such attribute (it reads ${reads.join(', ')})`,
        });
    }
    if (idp.metadataUrl !== undefined && idp.metadataFile !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['metadataFile'], message: 'give either metadataUrl or metadataFile, not both' });
    }
    if (idp.sloBinding !== undefined && idp.sloUrl === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['sloBinding'],
        message: 'only with sloUrl (metadata names the binding of its own SingleLogoutService)',
      });
    }
    const fromMetadata = idp.metadataUrl !== undefined || idp.metadataFile !== undefined;
    if (!fromMetadata) {
      for (const key of ['entityId', 'ssoUrl', 'signingCertificates'] as const) {
        if (idp[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'required without metadataUrl or metadataFile' });
      }
      if (idp.metadataSigningCertificate !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['metadataSigningCertificate'], message: 'only with metadataUrl or metadataFile' });
      }
    }
  });

export type IdentityProviderConfig = z.infer<typeof identityProviderSchema>;
