import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock.js';
import { SigningKeyRepository, type SigningKeyRow } from '../storage/signing-key.repository.js';

/** How often a realm's keys may be read, at most: how far apart two reads start. */
export interface KeyReadPacing {
  spacingMs: number;
  /** Monotonic milliseconds: a clock moved by hand or by NTP does not change how often the database is asked. */
  now(): number;
  sleep(ms: number): Promise<unknown>;
}

export const KEY_READ_PACING = Symbol('KEY_READ_PACING');

/**
 * 20 reads a second per realm at most. A flood of `/certs` on the embedded database, where a read
 * runs on the event loop, took 2,100 grants/s from 5,800 where a flood of discovery documents
 * (no read at all) took 3,500; a request waits at most this long more for its read.
 */
const DEFAULT_PACING: KeyReadPacing = { spacingMs: 50, now: () => performance.now(), sleep };

/**
 * A realm's published signing keys as stored (active, or retired inside their window): what the JWKS
 * shows (RFC 7517 §5), and where a token's `kid` that this instance has not cached is looked for.
 * Anyone may ask for either as often as they like, so requests share reads, but only reads that
 * began after they arrived: a key rotated (here or on another instance) before a request came is in
 * its answer. While one read runs, or less than the pacing's spacing after the last one began,
 * whoever asks waits for the next read, which all of them share; a flood keeps at most one statement
 * running and one waiting per realm, and starts one per spacing at most, not one per request.
 */
@Injectable()
export class PublishedKeys {
  private readonly running = new Map<string, Promise<SigningKeyRow[]>>();
  private readonly next = new Map<string, Promise<SigningKeyRow[]>>();
  private readonly lastStart = new Map<string, number>();

  constructor(
    private readonly repository: SigningKeyRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() @Inject(KEY_READ_PACING) private readonly pacing: KeyReadPacing = DEFAULT_PACING,
  ) {}

  of(realm: string): Promise<SigningKeyRow[]> {
    const waiting = this.next.get(realm);
    if (waiting !== undefined) return waiting;
    const running = this.running.get(realm);
    const early = (this.lastStart.get(realm) ?? -Infinity) + this.pacing.spacingMs - this.pacing.now();
    if (running === undefined && early <= 0) return this.read(realm);
    // Starts once the running read settled, however it did, and the spacing has passed; the read itself runs `now` at its start.
    const next = Promise.all([running?.catch(() => undefined), early > 0 ? this.pacing.sleep(early) : undefined]).then(() => {
      this.next.delete(realm);
      return this.read(realm);
    });
    this.next.set(realm, next);
    return next;
  }

  private read(realm: string): Promise<SigningKeyRow[]> {
    this.lastStart.set(realm, this.pacing.now());
    const read = this.repository.findPublished(realm, this.clock.now()).finally(() => {
      if (this.running.get(realm) === read) this.running.delete(realm);
    });
    this.running.set(realm, read);
    return read;
  }
}
