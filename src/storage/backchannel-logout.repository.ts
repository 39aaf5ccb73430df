import { Inject, Injectable } from '@nestjs/common';
import type { Config } from '../config/config.schema.js';
import { DATABASE, type Database } from './database.js';

/** A logout notification owed to a client (migration 013), as claimed for one delivery attempt. */
export interface BackchannelLogout {
  session_id: string;
  realm: string;
  client_id: string;
  subject: string;
  /** Attempts so far, this one included. */
  attempts: number;
}

/** `{realm} {clientId}`: the clients that registered a backchannelLogoutUri (neither part may hold a space). */
export function subscriberKey(realm: string, clientId: string): string {
  return `${realm} ${clientId}`;
}

/** The clients that registered a backchannelLogoutUri, from config: {@link subscriberKey} → that URI. */
export function backchannelSubscribers(config: Pick<Config, 'realms'>): Map<string, string> {
  return new Map(
    config.realms.flatMap((realm) =>
      realm.clients.flatMap((client) =>
        client.backchannelLogoutUri ? [[subscriberKey(realm.name, client.clientId), client.backchannelLogoutUri] as const] : [],
      ),
    ),
  );
}

/** Owed: neither delivered nor given up, to one of the subscribers (`subscribers`, a text[] parameter). */
function owedTo(subscribers: string): string {
  return `b.delivered_at IS NULL AND b.failed_at IS NULL AND (b.realm || ' ' || b.client_id) = ANY(${subscribers}::text[])`;
}

/** Claimable: owed, and not leased to a delivery under way. */
const CLAIMABLE = `${owedTo('$3')} AND (b.leased_until IS NULL OR b.leased_until <= $1)`;

/**
 * The back-channel logout outbox (OIDC Back-Channel Logout 1.0 §2.5), shared by every instance. Rows
 * are written by the database itself when a session ends (migration 013); delivery claims them with
 * a lease, so that of several instances exactly one attempts a row at a time, and one that dies
 * mid-delivery leaves the row to another once the lease is over.
 */
@Injectable()
export class BackchannelLogoutRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  /** Leases up to `limit` rows due by `now` until `leaseUntil`, counting the attempt. */
  async claimDue(now: Date, leaseUntil: Date, subscribers: readonly string[], limit: number): Promise<BackchannelLogout[]> {
    return this.claim(`b.next_attempt_at <= $1 AND ${CLAIMABLE} ORDER BY b.next_attempt_at LIMIT $4`, [
      now,
      leaseUntil,
      subscribers,
      limit,
    ]);
  }

  /** Leases the rows of these ended sessions now, due or not (a delivery someone waits for). */
  async claimSessions(
    sessionIds: readonly string[],
    now: Date,
    leaseUntil: Date,
    subscribers: readonly string[],
  ): Promise<BackchannelLogout[]> {
    return this.claim(`b.session_id = ANY($4::text[]) AND ${CLAIMABLE}`, [now, leaseUntil, subscribers, sessionIds]);
  }

  async delivered(sessionId: string, now: Date): Promise<void> {
    await this.db.query('UPDATE backchannel_logouts SET delivered_at = $2, leased_until = NULL WHERE session_id = $1', [sessionId, now]);
  }

  async retryAt(sessionId: string, next: Date): Promise<void> {
    await this.db.query('UPDATE backchannel_logouts SET next_attempt_at = $2, leased_until = NULL WHERE session_id = $1', [
      sessionId,
      next,
    ]);
  }

  /**
   * How many logout tokens are owed to these subscribers and neither delivered nor given up, and when the
   * session of the oldest ended (null when none): one aggregate row, for /metrics.
   */
  async backlog(subscribers: readonly string[]): Promise<{ entries: number; oldest: Date | null }> {
    if (subscribers.length === 0) return { entries: 0, oldest: null };
    const { rows } = await this.db.query<{ entries: string; oldest: Date | null }>(
      `SELECT count(*) AS entries, min(b.ended_at) AS oldest FROM backchannel_logouts AS b WHERE ${owedTo('$1')}`,
      [subscribers],
    );
    return { entries: Number(rows[0]!.entries), oldest: rows[0]!.oldest };
  }

  /** Given up: the client refused the token, or every attempt failed. */
  async failed(sessionId: string, now: Date): Promise<void> {
    await this.db.query('UPDATE backchannel_logouts SET failed_at = $2, leased_until = NULL WHERE session_id = $1', [sessionId, now]);
  }

  /**
   * One conditional UPDATE: PostgreSQL skips rows another instance is claiming at this moment (SKIP
   * LOCKED) and re-checks the lease on the rows it takes, so no row is claimed twice.
   */
  private async claim(where: string, params: unknown[]): Promise<BackchannelLogout[]> {
    const { rows } = await this.db.query<BackchannelLogout>(
      `UPDATE backchannel_logouts AS b SET attempts = b.attempts + 1, leased_until = $2
        WHERE b.session_id IN (SELECT b.session_id FROM backchannel_logouts AS b WHERE ${where} FOR UPDATE SKIP LOCKED)
          AND (b.leased_until IS NULL OR b.leased_until <= $1)
       RETURNING b.session_id, b.realm, b.client_id, b.subject, b.attempts`,
      params,
    );
    return rows;
  }
}
