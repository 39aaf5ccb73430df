import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock.js';
import { SigningKeyRepository, type SigningKeyRow } from '../storage/signing-key.repository.js';

/**
 * A realm's published signing keys as stored (active, or retired inside their window): what the JWKS
 * shows (RFC 7517 §5), and where a token's `kid` that this instance has not cached is looked for.
 * Anyone may ask for either as often as they like, so requests share reads, but only reads that
 * began after they arrived: a key rotated (here or on another instance) before a request came is in
 * its answer. While one read runs, whoever asks waits for the next, which all of them share; a flood
 * keeps at most one statement running and one waiting per realm, not one per request.
 */
@Injectable()
export class PublishedKeys {
  private readonly running = new Map<string, Promise<SigningKeyRow[]>>();
  private readonly next = new Map<string, Promise<SigningKeyRow[]>>();

  constructor(
    private readonly repository: SigningKeyRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  of(realm: string): Promise<SigningKeyRow[]> {
    const running = this.running.get(realm);
    if (running === undefined) return this.read(realm);
    let next = this.next.get(realm);
    if (next === undefined) {
      // Starts once the running read settled, however it did; the read itself runs `now` at its start.
      next = running
        .catch(() => undefined)
        .then(() => {
          this.next.delete(realm);
          return this.read(realm);
        });
      this.next.set(realm, next);
    }
    return next;
  }

  private read(realm: string): Promise<SigningKeyRow[]> {
    const read = this.repository.findPublished(realm, this.clock.now()).finally(() => {
      if (this.running.get(realm) === read) this.running.delete(realm);
    });
    this.running.set(realm, read);
    return read;
  }
}
