import { X509Certificate } from 'node:crypto';
import type { Clock } from '../../common/clock.js';
import { publishedTestKeyAmong } from '../../config/published-test-keys.js';
import type { IdpStaticSettings } from '../saml-settings.js';
import { readIdpMetadata, type IdpMetadata } from './idp-metadata.js';
import { MetadataError } from './metadata-error.js';
import { loadMetadataText, type MetadataSource } from './metadata-source.js';
import { plainHttpEndpoints } from './plain-http-endpoints.js';

/** What the refresher logs: facts only (realm, alias, reason), never document content. */
export interface MetadataLog {
  log(facts: object, message: string): void;
  warn(facts: object, message: string): void;
  error(facts: object, message: string): void;
}

/**
 * A signature failure at login may mean the IdP rolled its key over: it may fetch the metadata again,
 * but not more often than this, so that anyone posting badly signed Responses cannot make every
 * instance hammer the IdP's metadata server.
 */
export const MIN_SECONDS_BETWEEN_FAILURE_REFRESHES = 60;

/** Without any good copy yet, the IdP is unavailable: try again sooner than the refresh schedule. */
const RETRY_WITHOUT_COPY_SECONDS = 30;

export type RefreshTrigger = 'boot' | 'schedule' | 'signature failure';

/**
 * One IdP's metadata on this instance (each instance fetches its own): the last good copy, replaced
 * only by a document that passes every check (readIdpMetadata; in production, no published test key
 * among its signing certificates); a fetch that fails, a tampered or unsigned document when a
 * signature is required, or one past its validUntil, leave it in place.
 * Refreshed every `metadataRefreshSeconds` and, rate-limited, after a signature failure at login.
 */
export class MetadataRefresher {
  private current: IdpMetadata | undefined;
  private fingerprint = '';
  private attempt: Promise<boolean> | undefined;
  private lastFailureRefresh = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Why the last attempt failed; undefined after a success. */
  lastError: string | undefined;

  constructor(
    private readonly settings: IdpStaticSettings & { metadata: NonNullable<IdpStaticSettings['metadata']> },
    private readonly clock: Clock,
    private readonly logger: MetadataLog,
    /** Production refuses metadata holding a test key whose private half is published (published-test-keys.ts). */
    private readonly production: boolean,
    private readonly load: (source: MetadataSource) => Promise<string> = loadMetadataText,
  ) {}

  /** The last good copy; undefined before the first one. */
  get metadata(): IdpMetadata | undefined {
    return this.current;
  }

  /** One attempt (or the one under way); true when the copy changed. Never throws. */
  refresh(trigger: RefreshTrigger): Promise<boolean> {
    this.attempt ??= this.fetchAndCheck(trigger).finally(() => (this.attempt = undefined));
    return this.attempt;
  }

  /** After a signature failure at login: an attempt at most every {@link MIN_SECONDS_BETWEEN_FAILURE_REFRESHES}. */
  async refreshAfterSignatureFailure(): Promise<boolean> {
    if (this.attempt) return this.attempt;
    const now = this.clock.now().getTime();
    if (now - this.lastFailureRefresh < MIN_SECONDS_BETWEEN_FAILURE_REFRESHES * 1000) return false;
    this.lastFailureRefresh = now;
    return this.refresh('signature failure');
  }

  /** Starts the schedule (after the boot attempt). */
  start(): void {
    this.stopped = false;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.stopped) return;
    const { refreshSeconds } = this.settings.metadata;
    const seconds = this.current ? refreshSeconds : Math.min(refreshSeconds, RETRY_WITHOUT_COPY_SECONDS);
    this.timer = setTimeout(() => void this.refresh('schedule').finally(() => this.schedule()), seconds * 1000);
    this.timer.unref();
  }

  private async fetchAndCheck(trigger: RefreshTrigger): Promise<boolean> {
    const facts = { realm: this.settings.realm.name, idp: this.settings.idp.alias, trigger };
    try {
      const xml = await this.load(this.settings.metadata.source);
      const metadata = readIdpMetadata(xml, {
        entityId: this.settings.configured.entityId,
        signingCertificate: this.settings.metadata.signingCertificate,
        now: this.clock.now(),
      });
      // Refused like a bad signature (whatever the trigger): anyone could sign Responses as this IdP.
      const fixture = this.production
        ? publishedTestKeyAmong(metadata.signingCertificates.map(({ pem }) => new X509Certificate(pem).publicKey))
        : undefined;
      if (fixture)
        throw new MetadataError(
          `an IdP signing certificate in the metadata has the key of ${fixture}, a test key published with this repository's source: refused in production`,
        );
      this.lastError = undefined;
      const fingerprint = fingerprintOf(metadata);
      const changed = fingerprint !== this.fingerprint;
      this.current = metadata;
      this.fingerprint = fingerprint;
      if (changed) {
        this.logger.log({ ...facts, certificates: metadata.signingCertificates.length }, 'IdP metadata loaded');
        const plainHttp = this.production ? plainHttpEndpoints(metadata, this.settings.configured) : [];
        for (const endpoint of plainHttp)
          this.logger.warn(
            { ...facts, ...endpoint, reason: "plain http: the person's SAML messages to the IdP cross the network in the clear" },
            'IdP metadata names a plain http endpoint',
          );
      }
      return changed;
    } catch (error) {
      const reason = error instanceof MetadataError ? error.message : 'unexpected error reading metadata';
      this.lastError = reason;
      if (this.current) this.logger.warn({ ...facts, reason }, 'IdP metadata refused or unreachable; keeping the last good copy');
      else this.logger.error({ ...facts, reason }, 'IdP metadata refused or unreachable; the IdP is unavailable until a good copy arrives');
      return false;
    }
  }
}

function fingerprintOf(metadata: IdpMetadata): string {
  return JSON.stringify([
    metadata.entityId,
    metadata.ssoUrl,
    metadata.sloUrl,
    metadata.sloPostUrl,
    metadata.sloResponseUrls,
    metadata.validUntil?.toISOString(),
    metadata.signingCertificates.map((c) => c.pem),
  ]);
}
