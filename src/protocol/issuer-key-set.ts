import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';

/** The issuer's JWKS could not be read: a 503 for the client to retry, not a refusal of its token. */
export class KeySetUnavailableError extends Error {
  constructor(cause: unknown) {
    super('the issuer’s key set could not be read', { cause });
    this.name = 'KeySetUnavailableError';
  }
}

/**
 * Least time between two fetches that succeeded, for a `kid` not held: jose's remote JWKS default, and
 * what the issuer's key rotation allows for (keys/signing-key.service.ts publishes a new key ahead).
 */
const COOLDOWN_MS = 30_000;
/** Least time between a failed fetch's failure and the next fetch: a JWKS that is down is not asked once per request. */
const RETRY_AFTER_FAILURE_MS = 5_000;
/** How long a copy is fresh without a Cache-Control max-age, and the longest one is taken for. */
const DEFAULT_MAX_AGE_MS = 5 * 60_000;
const LONGEST_MAX_AGE_MS = 10 * 60_000;
const TIMEOUT_MS = 5_000;

/** Monotonic: a wall clock stepped back (NTP) must not stop the fetches of a rotated key for that long. */
const now = (): number => performance.now();

/**
 * The issuer's JWKS (RFC 7517 §5) as a resource server holds it. jose's `createRemoteJWKSet` drops its
 * copy once it is older than its cache age and then fails every request for as long as the issuer's
 * JWKS is down, each request trying the fetch again: one issuer outage became an outage of every
 * resource server. Here the last good copy stays in use whatever its age (stale-if-error: its tokens
 * still expire, and a key the issuer retired since signed only tokens past their `exp`; one it
 * withdrew as leaked verifies here until a fetch succeeds, the price of not failing closed on every
 * issuer outage, which the README states); a copy older than the issuer's `max-age` is fetched again
 * in the background (stale-while-revalidate), so no request waits on the issuer but the first and one
 * naming a `kid` not held (OIDC Core §10.1.1: a verifier fetches the JWKS again on an unknown `kid`),
 * at most once per cooldown.
 */
export class IssuerKeySet {
  private keys?: ReturnType<typeof createLocalJWKSet>;
  private fetchedAt = -Infinity;
  private maxAgeMs = DEFAULT_MAX_AGE_MS;
  private attemptedAt = -Infinity;
  /** Why the last fetch failed; undefined once one succeeded. */
  private failure?: unknown;
  private pending?: Promise<void>;

  constructor(private readonly url: URL) {}

  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    if (!this.keys) await this.refresh();
    else if (now() - this.fetchedAt >= this.maxAgeMs) this.refresh().catch(() => undefined);
    if (!this.keys) throw new KeySetUnavailableError(this.failure);
    try {
      return await this.keys(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      // A key rotated in since the copy was read; or, just read, a key the issuer does not publish (a bad token).
      await this.refresh();
      return this.keys(header, token);
    }
  };

  /**
   * Joins the fetch under way, or starts one unless the last was too recent; rejects with
   * KeySetUnavailableError when it fails, or when the last one failed and it is too early to try again.
   */
  private refresh(): Promise<void> {
    if (this.pending) return this.pending;
    const wait = this.failure === undefined ? COOLDOWN_MS : RETRY_AFTER_FAILURE_MS;
    if (now() - this.attemptedAt < wait)
      return this.failure === undefined ? Promise.resolve() : Promise.reject(new KeySetUnavailableError(this.failure));
    this.attemptedAt = now();
    this.pending = this.fetch().finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async fetch(): Promise<void> {
    try {
      // Like jose's: no redirect followed (the issuer names this URL), a deadline for the body too.
      const response = await fetch(this.url, {
        redirect: 'manual',
        signal: AbortSignal.timeout(TIMEOUT_MS),
        headers: { accept: 'application/jwk-set+json, application/json' },
      });
      if (response.status !== 200) throw new Error(`the JWKS answered ${response.status}`);
      // Throws JWKSInvalid for anything that is no key set: that copy is not taken.
      const keys = createLocalJWKSet((await response.json()) as JSONWebKeySet);
      this.keys = keys;
      this.fetchedAt = now();
      this.maxAgeMs = maxAge(response.headers.get('cache-control'));
      this.failure = undefined;
    } catch (error) {
      this.failure = error;
      // The back-off counts from the failure: one that took the whole deadline (a JWKS that hangs)
      // must not have used up the wait before the next try, or every request would ask again.
      this.attemptedAt = now();
      throw new KeySetUnavailableError(error);
    }
  }
}

/** The issuer's Cache-Control max-age (RFC 9111 §5.2.2.1), kept between the cooldown and ten minutes. */
function maxAge(cacheControl: string | null): number {
  const seconds = /(?:^|,)\s*max-age=(\d+)\s*(?:,|$)/i.exec(cacheControl ?? '')?.[1];
  if (seconds === undefined) return DEFAULT_MAX_AGE_MS;
  return Math.min(Math.max(Number(seconds) * 1000, COOLDOWN_MS), LONGEST_MAX_AGE_MS);
}
