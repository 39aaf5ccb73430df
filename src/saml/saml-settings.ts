import { ConfigError } from '../config/config.error.js';
import type { ServiceProviderConfig } from '../config/config.schema.js';
import type { IdentityProviderConfig } from '../config/idp-config.schema.js';
import type { Realm } from '../realms/realm.js';
import { minimumLoa } from '../realms/minimum-loa.js';
import { withValidity, type TrustedCertificate } from './certificate-validity.js';
import type { MetadataSource } from './metadata/metadata-source.js';
import { keyMatchesCertificate, loadCertificate, loadPrivateKey } from './pem.js';
import { attributeProfile } from './profiles/profiles.js';
import type { AttributeProfile } from './profiles/attribute-profile.js';
import type { LogoutBinding, SamlWorkerSettings } from './worker/saml-worker.mjs';

/** Where an IdP's metadata comes from and how it is trusted (config `metadata*`). */
export interface IdpMetadataConfig {
  source: MetadataSource;
  /** `metadataSigningCertificate`: the metadata must be signed by it. */
  signingCertificate?: TrustedCertificate;
  refreshSeconds: number;
}

/**
 * One realm's SP towards one IdP as far as the config alone says: URLs, keys, the attribute profile,
 * the IdP values written by hand, and where its metadata comes from. Loaded once at boot.
 */
export interface IdpStaticSettings {
  realm: Realm;
  idp: IdentityProviderConfig;
  profile: AttributeProfile;
  spEntityId: string;
  acsUrl: string;
  spSigningCertificate: string;
  /** Published in metadata as `use="encryption"` when the realm decrypts assertions. */
  decryptionCertificate?: string;
  /** The config path of this IdP, for errors and logs (`realms.{realm}.identityProviders.{alias}`). */
  where: string;
  /** The IdP values written in the config: each wins over the metadata's. */
  configured: {
    entityId?: string;
    ssoUrl?: string;
    sloUrl?: string;
    /** The binding of the hand-written `sloUrl` (config `sloBinding`); HTTP-Redirect when not given. */
    sloBinding?: LogoutBinding;
    signingCertificates?: TrustedCertificate[];
  };
  metadata?: IdpMetadataConfig;
  /** The SP's half of what the worker pool needs; the IdP's half comes with the metadata. */
  worker: Omit<SamlWorkerSettings, 'ssoUrl' | 'idpCertificates'>;
}

/** One realm's SP towards one IdP, with the IdP's values as they stand now (config over metadata). */
export interface IdpSettings extends Omit<IdpStaticSettings, 'worker'> {
  /** The IdP's entity id: the only accepted Issuer. */
  idpEntityId: string;
  /** The IdP's SingleLogoutService (SAML Profiles §4.4), when it has one: where this SP's LogoutRequests go. */
  sloUrl?: string;
  /**
   * The binding this SP's LogoutRequests take to `sloUrl`: HTTP-Redirect (SAML Bindings §3.4) whenever
   * the IdP offers it, HTTP-POST (§3.5) when its metadata lists only that or a hand-written `sloUrl`
   * is configured with `sloBinding: post`.
   */
  sloBinding?: LogoutBinding;
  /**
   * Where this SP's LogoutResponses go, per binding they are sent by (SAML Metadata §2.2.2: the
   * endpoint's ResponseLocation, else its Location); none in a binding: no answer by it.
   */
  sloResponseUrls: Partial<Record<LogoutBinding, string>>;
  /** What the worker pool needs (plain strings): only the IdP certificates valid now. */
  worker: SamlWorkerSettings;
}

/** Where the IdP posts its Response (SAML Profiles §4.1.3.5, HTTP-POST), at Keycloak's path (DESIGN.md §3). */
export function acsUrlOf(realm: Realm, alias: string): string {
  return `${realm.issuer}/broker/${alias}/endpoint`;
}

export function spEntityIdOf(realm: Realm): string {
  return realm.config.serviceProvider?.entityId ?? realm.issuer;
}

/** Loads and cross-checks every key and certificate of a realm's IdPs; errors name the config path. */
export function loadRealmSettings(realm: Realm): IdpStaticSettings[] {
  const sp = realm.config.serviceProvider;
  if (realm.config.identityProviders.length === 0) return [];
  if (!sp) throw ConfigError.problem(`realms.${realm.name}.serviceProvider: required for identity providers`);
  const keys = loadServiceProviderKeys(sp, `realms.${realm.name}.serviceProvider`);
  return realm.config.identityProviders.map((idp) => {
    const where = `realms.${realm.name}.identityProviders.${idp.alias}`;
    const profile = attributeProfile(idp.profile);
    const acsUrl = acsUrlOf(realm, idp.alias);
    const spEntityId = spEntityIdOf(realm);
    const minimum = minimumLoa(realm, profile.kind);
    return {
      realm,
      idp,
      profile,
      spEntityId,
      acsUrl,
      spSigningCertificate: keys.signingCertificate,
      decryptionCertificate: keys.decryptionCertificate,
      where,
      configured: {
        entityId: idp.entityId,
        ssoUrl: idp.ssoUrl,
        sloUrl: idp.sloUrl,
        sloBinding: idp.sloBinding,
        signingCertificates: idp.signingCertificates?.map((c, i) => withValidity(loadCertificate(c, `${where}.signingCertificates[${i}]`))),
      },
      metadata: metadataConfig(idp, where),
      worker: {
        spEntityId,
        acsUrl,
        spSigningKey: keys.signingKey,
        decryptionKey: keys.decryptionKey,
        acceptAesCbc: idp.acceptAesCbc,
        nameIdFormat: profile.nameIdFormat,
        // The IdP is asked for the minimum; the assertion's level is checked all the same (saml.service.ts).
        requestedAuthnContext: minimum && profile.assurance ? profile.assurance.requestedClasses[minimum] : undefined,
      },
    };
  });
}

function metadataConfig(idp: IdentityProviderConfig, where: string): IdpMetadataConfig | undefined {
  const source = idp.metadataUrl ? { url: idp.metadataUrl } : idp.metadataFile ? { file: idp.metadataFile } : undefined;
  if (!source) return undefined;
  const signing = idp.metadataSigningCertificate;
  return {
    source,
    signingCertificate: signing === undefined ? undefined : withValidity(loadCertificate(signing, `${where}.metadataSigningCertificate`)),
    refreshSeconds: idp.metadataRefreshSeconds,
  };
}

interface ServiceProviderKeys {
  signingKey: string;
  signingCertificate: string;
  decryptionKey?: string;
  decryptionCertificate?: string;
}

/**
 * Metadata must publish the decryption certificate for the IdP to encrypt to: `decryptionCertificate`,
 * else one following the key in the `decryptionKey` PEM, else the signing certificate when both keys
 * are one; otherwise boot fails with the reason. A certificate not matching the key also fails boot.
 */
function loadServiceProviderKeys(sp: ServiceProviderConfig, where: string): ServiceProviderKeys {
  const signing = loadPrivateKey(sp.signingKey, `${where}.signingKey`);
  const signingCertificate = loadCertificate(sp.signingCertificate, `${where}.signingCertificate`);
  if (!keyMatchesCertificate(signing.key, signingCertificate)) {
    throw ConfigError.problem(`${where}.signingCertificate: does not belong to serviceProvider.signingKey`);
  }
  if (sp.decryptionKey === undefined) return { signingKey: signing.key, signingCertificate };
  const decryption = loadPrivateKey(sp.decryptionKey, `${where}.decryptionKey`);
  const configured = sp.decryptionCertificate ? loadCertificate(sp.decryptionCertificate, `${where}.decryptionCertificate`) : undefined;
  if (configured && !keyMatchesCertificate(decryption.key, configured)) {
    throw ConfigError.problem(`${where}.decryptionCertificate: does not belong to serviceProvider.decryptionKey`);
  }
  const decryptionCertificate =
    configured ?? decryption.certificate ?? (keyMatchesCertificate(decryption.key, signingCertificate) ? signingCertificate : undefined);
  if (!decryptionCertificate) {
    throw ConfigError.problem(
      `${where}.decryptionKey: append the key's certificate to the PEM (key, then certificate) so metadata can publish it`,
    );
  }
  return { signingKey: signing.key, signingCertificate, decryptionKey: decryption.key, decryptionCertificate };
}
