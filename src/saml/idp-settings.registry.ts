import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock.js';
import { ConfigError } from '../config/config.error.js';
import type { Config } from '../config/config.schema.js';
import { CONFIG } from '../config/config.token.js';
import type { Realm } from '../realms/realm.js';
import { RealmRegistry } from '../realms/realm.registry.js';
import { certificateWarning, lastValidUntil } from './certificate-expiry.js';
import { resolveIdpSettings, signingCertificates, unavailableReason } from './idp-settings-resolver.js';
import { MetadataRefresher } from './metadata/metadata-refresher.js';
import { loadRealmSettings, type IdpSettings, type IdpStaticSettings } from './saml-settings.js';

interface Entry {
  base: IdpStaticSettings;
  refresher?: MetadataRefresher;
}

/** When an IdP's signing certificates valid now stop being so; `until` undefined: none is valid now. */
export interface IdpCertificateExpiry {
  realm: string;
  idp: string;
  until?: Date;
}

/** How often a running service says again what {@link certificateWarning} finds (and at start). */
const CERTIFICATE_CHECK_MS = 24 * 60 * 60 * 1000;

/**
 * Every realm's SP towards each of its IdPs: the config, loaded (and cross-checked) once at boot, and
 * for an IdP configured by `metadataUrl` or `metadataFile` its metadata, fetched by this instance at
 * boot and then on a schedule. Settings are resolved on each use, so a refreshed certificate reaches
 * the worker threads with the next task (each task carries its settings) and an expired one drops out
 * without a restart.
 *
 * At boot a `metadataFile` that cannot be read or is refused stops the process with its config path
 * (the operator's own file is wrong); a `metadataUrl` that fails leaves only that IdP unavailable
 * (fail closed: its logins are refused) while the rest of the service runs, and is tried again. In
 * production, metadata holding a published test key is refused the same way (MetadataRefresher).
 */
@Injectable()
export class IdpSettingsRegistry implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('IdpMetadata');
  private readonly entries = new Map<string, Entry>();
  private certificateCheck: NodeJS.Timeout | undefined;

  constructor(
    realms: RealmRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) config: Pick<Config, 'environment'>,
  ) {
    const production = config.environment === 'production';
    for (const realm of realms.all()) {
      for (const base of loadRealmSettings(realm)) {
        const { metadata } = base;
        const refresher = metadata ? new MetadataRefresher({ ...base, metadata }, clock, this.logger, production) : undefined;
        this.entries.set(key(realm.name, base.idp.alias), { base, refresher });
      }
    }
  }

  async onModuleInit(): Promise<void> {
    const withMetadata = [...this.entries.values()].filter((entry) => entry.refresher);
    await Promise.all(withMetadata.map((entry) => entry.refresher!.refresh('boot')));
    for (const { base, refresher } of withMetadata) {
      if (refresher!.metadata === undefined && base.idp.metadataFile !== undefined) {
        throw ConfigError.problem(`${base.where}.metadataFile: ${refresher!.lastError ?? 'refused'}`);
      }
    }
    for (const { refresher } of withMetadata) refresher!.start();
    this.warnAboutCertificates();
    this.certificateCheck = setInterval(() => this.warnAboutCertificates(), CERTIFICATE_CHECK_MS).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.certificateCheck);
    for (const { refresher } of this.entries.values()) refresher?.stop();
  }

  /** Every IdP's signing certificate expiry as it stands now, for /metrics. */
  certificateExpiries(): IdpCertificateExpiry[] {
    const now = this.clock.now();
    return [...this.entries.values()].map(({ base, refresher }) => ({
      realm: base.realm.name,
      idp: base.idp.alias,
      until: lastValidUntil(signingCertificates(base, refresher?.metadata, now), now),
    }));
  }

  /**
   * The settings of IdP `alias` of `realm` as they stand now; undefined when the realm has no such
   * SAML IdP, or when it cannot be used now ({@link isConfigured} tells the two apart).
   */
  find(realm: Realm, alias: string): IdpSettings | undefined {
    const entry = this.entries.get(key(realm.name, alias));
    if (!entry) return undefined;
    const now = this.clock.now();
    const settings = resolveIdpSettings(entry.base, entry.refresher?.metadata, now);
    if (!settings) {
      const reason = unavailableReason(entry.base, entry.refresher?.metadata, now);
      this.logger.warn({ realm: realm.name, idp: alias, reason }, 'SAML identity provider unavailable');
    }
    return settings;
  }

  /**
   * An IdP whose signing certificates are all expired, or all expire within weeks, starts and runs as
   * any other, its logins refused once none is valid (certificate-validity.ts): said once at start and
   * once a day, so the operator hears of it before the first refused login does (certificate-expiry.ts).
   */
  private warnAboutCertificates(): void {
    const now = this.clock.now();
    for (const { base, refresher } of this.entries.values()) {
      const reason = certificateWarning(signingCertificates(base, refresher?.metadata, now), now);
      if (reason) this.logger.warn({ realm: base.realm.name, idp: base.idp.alias, reason }, 'SAML identity provider signing certificates');
    }
  }

  /** What the config alone says about IdP `alias` (enough for this SP's own metadata). */
  configured(realm: Realm, alias: string): IdpStaticSettings | undefined {
    return this.entries.get(key(realm.name, alias))?.base;
  }

  isConfigured(realm: Realm, alias: string): boolean {
    return this.entries.has(key(realm.name, alias));
  }

  /**
   * A Response of this IdP failed its signature: perhaps the IdP rolled its key over. Fetches the
   * metadata again (rate-limited per IdP); true when the IdP's settings changed, so the Response is
   * worth verifying once more. Always false for an IdP without metadata.
   */
  async refreshAfterSignatureFailure(realm: Realm, alias: string): Promise<boolean> {
    const refresher = this.entries.get(key(realm.name, alias))?.refresher;
    return refresher ? refresher.refreshAfterSignatureFailure() : false;
  }
}

function key(realm: string, alias: string): string {
  return `${realm}\u0000${alias}`;
}
