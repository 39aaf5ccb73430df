import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock.js';
import { within } from '../common/within.js';
import type { BackchannelLogoutConfig } from '../config/backchannel-logout.schema.js';
import type { Config } from '../config/config.schema.js';
import { CONFIG } from '../config/config.token.js';
import { FederationMetrics } from '../metrics/federation-metrics.js';
import { RealmRegistry } from '../realms/realm.registry.js';
import {
  backchannelSubscribers,
  BackchannelLogoutRepository,
  subscriberKey,
  type BackchannelLogout,
} from '../storage/backchannel-logout.repository.js';
import { LogoutTokenIssuer } from '../tokens/logout-token.issuer.js';
import { nextAttemptAt } from './backoff.js';

/** Notifications one instance takes per round. */
const BATCH = 20;

/** An ended client session whose client may be owed a logout token. */
export interface EndedSession {
  id: string;
  realm: string;
  clientId: string;
}

type Outcome = 'delivered' | 'retry' | 'refused';

/**
 * OIDC Back-Channel Logout 1.0 §2.5: every client with a `backchannelLogoutUri` hears, by a logout
 * token POSTed there (`logout_token=…`, form-encoded), that one of its sessions ended. Notifications
 * come from the database outbox the session's end wrote (migration 013); each attempt leases its row
 * and mints a fresh token. A 2xx answer delivers it; a 4xx is the client refusing it (§2.8), which
 * no retry changes; anything else (5xx, 408, 429, a timeout, no connection) is tried again with backoff, at
 * most `maxAttempts` times.
 */
@Injectable()
export class BackchannelLogoutService implements OnApplicationShutdown {
  private readonly logger = new Logger('BackchannelLogout');
  private readonly options: BackchannelLogoutConfig;
  /** `{realm} {clientId}` → backchannelLogoutUri. */
  private readonly endpoints: Map<string, string>;
  /** Attempts of {@link deliverNow} that outlived its wait, until they are recorded. */
  private readonly unfinished = new Set<Promise<void>>();

  constructor(
    @Inject(CONFIG) config: Config,
    private readonly realms: RealmRegistry,
    private readonly outbox: BackchannelLogoutRepository,
    private readonly tokens: LogoutTokenIssuer,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly metrics: FederationMetrics,
  ) {
    this.options = config.backchannelLogout;
    this.endpoints = backchannelSubscribers(config);
  }

  /** Whether any client listens: without one no round need run. */
  get hasSubscribers(): boolean {
    return this.endpoints.size > 0;
  }

  /** One round of the background delivery: the notifications due now. Returns how many were attempted. */
  async deliverDue(): Promise<number> {
    const now = this.clock.now();
    const claimed = await this.outbox.claimDue(now, this.leaseEnd(now), [...this.endpoints.keys()], BATCH);
    await Promise.all(claimed.map((notification) => this.attempt(notification)));
    return claimed.length;
  }

  /**
   * Delivers the notifications of these just-ended sessions now, due or not, and waits at most
   * `waitMs` for them (a SAML LogoutResponse waits for the answer). True when every client owed one
   * confirmed it within the wait. Only the waiting is bounded: each attempt has its whole `timeoutMs`
   * (§2.5: the token is for the client, not for the IdP's answer), and one still under way goes on
   * and is recorded as any other; a failure stays queued for the background delivery.
   */
  async deliverNow(sessions: readonly EndedSession[], waitMs = this.options.sloWaitMs): Promise<boolean> {
    const owed = sessions.filter((session) => this.endpoints.has(subscriberKey(session.realm, session.clientId)));
    if (owed.length === 0) return true;
    const now = this.clock.now();
    const ids = owed.map((session) => session.id);
    const claimed = await this.outbox.claimSessions(ids, now, this.leaseEnd(now), [...this.endpoints.keys()]);
    const attempts = claimed.map((notification) => this.attempt(notification));
    const outcomes = await within(Promise.all(attempts), waitMs);
    if (outcomes === undefined) this.finishUnwatched(attempts);
    // A row another instance holds at this moment cannot be confirmed here.
    return claimed.length === owed.length && outcomes !== undefined && outcomes.every((outcome) => outcome === 'delivered');
  }

  /** Lets the attempts that outlived a wait finish, so none is cut off with the database it records in. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.unfinished);
  }

  /**
   * Attempts no one waits for any more: an attempt that could not record its outcome (a database
   * failure) is logged here, where its caller would have heard of it; its lease runs out and the
   * background delivery takes it up again.
   */
  private finishUnwatched(attempts: Promise<Outcome>[]): void {
    const finished: Promise<void> = Promise.allSettled(attempts).then((results) => {
      this.unfinished.delete(finished);
      for (const result of results) {
        if (result.status !== 'rejected') continue;
        this.logger.warn({ err: result.reason }, 'back-channel logout attempt not recorded; its lease runs out');
      }
    });
    this.unfinished.add(finished);
  }

  private async attempt(notification: BackchannelLogout): Promise<Outcome> {
    const { session_id: sid, client_id: clientId } = notification;
    const uri = this.endpoints.get(subscriberKey(notification.realm, clientId))!;
    const realm = this.realms.get(notification.realm);
    const outcome = await this.post(uri, await this.tokens.issue({ realm, clientId, sid, subject: notification.subject }));
    const now = this.clock.now();
    const facts = { realm: realm.name, client: clientId, sid, attempt: notification.attempts };
    if (outcome === 'delivered') {
      await this.outbox.delivered(sid, now);
      this.metrics.backchannelAttempt('delivered');
      this.logger.log(facts, 'back-channel logout delivered');
    } else if (outcome === 'refused' || notification.attempts >= this.options.maxAttempts) {
      await this.outbox.failed(sid, now);
      this.metrics.backchannelAttempt('given_up');
      this.logger.warn({ ...facts, outcome }, 'back-channel logout given up');
    } else {
      await this.outbox.retryAt(sid, nextAttemptAt(now, notification.attempts, this.options.initialBackoffSeconds));
      this.metrics.backchannelAttempt('retry');
      this.logger.warn(facts, 'back-channel logout failed; will retry');
    }
    return outcome;
  }

  /** §2.5: POST `logout_token` form-encoded; no redirect is followed (§2.8 asks 200, a redirect is a failure). */
  private async post(uri: string, token: string): Promise<Outcome> {
    try {
      const response = await fetch(uri, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ logout_token: token }).toString(),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      await response.body?.cancel();
      if (response.status >= 200 && response.status < 300) return 'delivered';
      const refused = response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429;
      return refused ? 'refused' : 'retry';
    } catch {
      return 'retry';
    }
  }

  /** A lease long enough for one attempt; past it, another instance may take the row up. */
  private leaseEnd(now: Date): Date {
    return new Date(now.getTime() + 2 * this.options.timeoutMs + 30_000);
  }
}
