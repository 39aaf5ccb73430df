import { normalizeIP } from '@fastify/rate-limit';
import type { AuditEventType } from './audit-event-type.js';
import type { Clock } from '../common/clock.js';
import type { Config } from '../config/config.schema.js';

/** `limits.tokenRefusalAudit` or `limits.loginRefusalAudit`: one shape. */
export type RefusalAuditLimits = Config['limits']['tokenRefusalAudit'];

/** A refused request as the limiter sees it: its realm, its event type, and the registered client it named, if any. */
export interface RefusalKind {
  realm: string;
  type: AuditEventType;
  /** A registered client only: an unknown id is an anonymous caller's text. */
  clientId?: string;
}

/**
 * Refusals of one realm in one window that were counted, not recorded one by one: those of `address`
 * beyond its own share, or (no `address`) those of any address once all addresses' share was used up.
 * One summary per realm and address, whatever kinds it counts, so the number of summaries is bounded
 * as the number of addresses is: `byType` and `byClient` say how many were of each.
 */
export interface UnrecordedRefusals {
  realm: string;
  address?: string;
  count: number;
  byType: Map<AuditEventType, number>;
  byClient: Map<string, number>;
  windowStart: Date;
}

type Tally = Pick<UnrecordedRefusals, 'count' | 'byType' | 'byClient'>;

interface AddressShare {
  recorded: number;
  /** Per realm: an address may try the clients of several. */
  unrecorded?: Map<string, Tally>;
}

/**
 * The addresses one window keeps. An entry is added only for a refusal that is recorded, so `global`
 * bounds the map already; this bounds it when `global` is set higher. Past it the oldest address is
 * dropped and its unrecorded count moves to the count of all addresses: nothing is lost but the address.
 */
export const MAX_ADDRESSES = 10_000;

/**
 * Decides which refusals (token requests, browser logins: bounded-refusal-audit.ts) the audit trail records one by one: at most `perAddress` per
 * client address and `global` in all per window, the rest counted per realm and address for a
 * summary when the window closes. Addresses are keyed as the login routes' rate limit
 * keys them (@fastify/rate-limit's `normalizeIP`: `request.ip`, an IPv6 address by its /64).
 *
 * Not @fastify/rate-limit's `createRateLimit` itself: its result tells neither how far over the limit
 * a key went nor when its window closed, and it reads `Date.now()` where this reads the service clock.
 * Windows are fixed: one opens at the first refusal after the last one closed.
 */
export class RefusalAuditLimiter {
  private readonly windowMs: number;
  /** Milliseconds since the epoch; undefined while no window is open. */
  private windowStart: number | undefined;
  private recorded = 0;
  private unrecorded = 0;
  private readonly addresses = new Map<string, AddressShare>();
  private readonly ofAllAddresses = new Map<string, Tally>();

  constructor(
    private readonly limits: RefusalAuditLimits,
    private readonly clock: Clock,
    private readonly maxAddresses = MAX_ADDRESSES,
  ) {
    this.windowMs = limits.windowSeconds * 1000;
  }

  /** When the open window closes (milliseconds since the epoch), or undefined when none is open. */
  get windowEnd(): number | undefined {
    return this.windowStart === undefined ? undefined : this.windowStart + this.windowMs;
  }

  /** Whether the open window holds refusals that were not recorded, whose summary is still due. */
  get hasUnrecorded(): boolean {
    return this.unrecorded > 0;
  }

  /**
   * Whether to record this refusal one by one. If not, it is counted for the window's summary. Call
   * {@link close} first, so a refusal after the window's end opens a new one.
   */
  admit(kind: RefusalKind, ip: string): boolean {
    this.windowStart ??= this.clock.now().getTime();
    const key = normalizeIP(ip);
    const share = this.addresses.get(key);
    if (share !== undefined && share.recorded >= this.limits.perAddress) {
      this.unrecorded++;
      addTo((share.unrecorded ??= new Map()), kind.realm, oneOf(kind));
      return false;
    }
    if (this.recorded >= this.limits.global) {
      this.unrecorded++;
      addTo(this.ofAllAddresses, kind.realm, oneOf(kind));
      return false;
    }
    this.recorded++;
    if (share !== undefined) share.recorded++;
    else this.addAddress(key);
    return true;
  }

  /** Closes the open window once the clock passed its end (or now, when `force`d), returning what it did not record. */
  close(force = false): UnrecordedRefusals[] {
    const end = this.windowEnd;
    if (end === undefined || (!force && this.clock.now().getTime() < end)) return [];
    const windowStart = new Date(this.windowStart!);
    const summaries: UnrecordedRefusals[] = [];
    for (const [address, share] of this.addresses) {
      for (const [realm, tally] of share.unrecorded ?? []) summaries.push({ realm, address, ...tally, windowStart });
    }
    for (const [realm, tally] of this.ofAllAddresses) summaries.push({ realm, ...tally, windowStart });
    this.addresses.clear();
    this.ofAllAddresses.clear();
    this.recorded = 0;
    this.unrecorded = 0;
    this.windowStart = undefined;
    return summaries;
  }

  private addAddress(key: string): void {
    if (this.addresses.size >= this.maxAddresses) {
      // A Map iterates in insertion order: the first key is the oldest.
      const [oldest, share] = this.addresses.entries().next().value!;
      this.addresses.delete(oldest);
      for (const [realm, tally] of share.unrecorded ?? []) addTo(this.ofAllAddresses, realm, tally);
    }
    this.addresses.set(key, { recorded: 1 });
  }
}

function oneOf(kind: RefusalKind): Tally {
  return { count: 1, byType: new Map([[kind.type, 1]]), byClient: new Map(kind.clientId ? [[kind.clientId, 1]] : []) };
}

function addTo(tallies: Map<string, Tally>, realm: string, tally: Tally): void {
  const into = tallies.get(realm);
  if (!into) return void tallies.set(realm, { count: tally.count, byType: new Map(tally.byType), byClient: new Map(tally.byClient) });
  into.count += tally.count;
  for (const [type, n] of tally.byType) into.byType.set(type, (into.byType.get(type) ?? 0) + n);
  for (const [client, n] of tally.byClient) into.byClient.set(client, (into.byClient.get(client) ?? 0) + n);
}
