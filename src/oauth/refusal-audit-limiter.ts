import { normalizeIP } from '@fastify/rate-limit';
import type { AuditEventType } from '../audit/audit-event-type.js';
import type { Clock } from '../common/clock.js';
import type { Config } from '../config/config.schema.js';

export type RefusalAuditLimits = Config['limits']['tokenRefusalAudit'];

/**
 * What a summary counts refusals of: the realm, the refused grant's event type and the client named
 * (a registered one only: an unknown id is an anonymous caller's text). Each is bounded by config.
 */
export interface RefusalKind {
  realm: string;
  type: AuditEventType;
  clientId?: string;
}

/**
 * Refusals of one kind in one window that were counted, not recorded one by one: those of `address`
 * beyond its own share, or (no `address`) those of any address once all addresses' share was used up.
 */
export interface UnrecordedRefusals extends RefusalKind {
  address?: string;
  count: number;
  windowStart: Date;
}

/** Counts per {@link RefusalKind}. */
type KindCounts = Map<string, { kind: RefusalKind; count: number }>;

interface AddressShare {
  recorded: number;
  /** Per kind: an address may try several grants, and the clients of several realms. */
  unrecorded?: KindCounts;
}

/**
 * The addresses one window keeps. An entry is added only for a refusal that is recorded, so `global`
 * bounds the map already; this bounds it when `global` is set higher. Past it the oldest address is
 * dropped and its unrecorded count moves to the count of all addresses: nothing is lost but the address.
 */
export const MAX_ADDRESSES = 10_000;

/**
 * Decides which refused token requests the audit trail records one by one: at most `perAddress` per
 * client address and `global` in all per window, the rest counted per kind and address for a summary
 * when the window closes. Addresses are keyed as the login routes' rate limit
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
  private readonly ofAllAddresses: KindCounts = new Map();

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
      countIn((share.unrecorded ??= new Map()), kind, 1);
      return false;
    }
    if (this.recorded >= this.limits.global) {
      this.unrecorded++;
      countIn(this.ofAllAddresses, kind, 1);
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
      for (const { kind, count } of share.unrecorded?.values() ?? []) summaries.push({ ...kind, address, count, windowStart });
    }
    for (const { kind, count } of this.ofAllAddresses.values()) summaries.push({ ...kind, count, windowStart });
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
      for (const { kind, count } of share.unrecorded?.values() ?? []) countIn(this.ofAllAddresses, kind, count);
    }
    this.addresses.set(key, { recorded: 1 });
  }
}

function countIn(counts: KindCounts, kind: RefusalKind, count: number): void {
  const key = JSON.stringify([kind.realm, kind.type, kind.clientId ?? null]);
  const counted = counts.get(key);
  if (counted) counted.count += count;
  else counts.set(key, { kind: { realm: kind.realm, type: kind.type, ...(kind.clientId ? { clientId: kind.clientId } : {}) }, count });
}
