import { Injectable } from '@nestjs/common';
import type { RegisteredClient } from './registered-client.js';

/** When a client last authenticated with its previous secret, for the metrics. */
export interface PreviousSecretUse {
  realm: string;
  clientId: string;
  /** Epoch ms. */
  at: number;
}

/**
 * The clients still presenting the secret their `previousSecret` replaces, and when they last did
 * (this instance only): what tells an operator that every instance of a client has taken the new
 * secret, so the previous one can be removed before its `until`. Keyed by configured clients only.
 */
@Injectable()
export class PreviousSecretUses {
  private readonly lastUses = new Map<RegisteredClient, number>();

  record(client: RegisteredClient, at: number): void {
    this.lastUses.set(client, at);
  }

  all(): PreviousSecretUse[] {
    return [...this.lastUses].map(([client, at]) => ({ realm: client.realm, clientId: client.clientId, at }));
  }
}
