import type { Clock } from '../common/clock.js';
import type { SigningKeyRepository, SigningKeyRow } from '../storage/signing-key.repository.js';

/**
 * A realm's published signing keys as stored (active, or retired inside their window): what the JWKS
 * shows (RFC 7517 §5), and where a token's `kid` that this instance has not cached is looked for.
 * Anyone may ask for either as often as they like, so requests that ask while a read of the realm's
 * keys is under way share it: a flood keeps one statement in flight per realm, not one per request.
 * A request that asks after the read ended reads anew, so a key rotated elsewhere is seen at once.
 */
export class PublishedKeys {
  private readonly reading = new Map<string, Promise<SigningKeyRow[]>>();

  constructor(
    private readonly repository: SigningKeyRepository,
    private readonly clock: Clock,
  ) {}

  of(realm: string): Promise<SigningKeyRow[]> {
    let read = this.reading.get(realm);
    if (!read) {
      read = this.repository.findPublished(realm, this.clock.now()).finally(() => this.reading.delete(realm));
      this.reading.set(realm, read);
    }
    return read;
  }
}
