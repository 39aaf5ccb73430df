import { Inject, Injectable } from '@nestjs/common';
import { CONFIG } from '../config/config.token.js';
import type { Config } from '../config/config.schema.js';
import { registerClient, type RegisteredClient } from './registered-client.js';

/** Clients of every realm, from config, keyed by realm and client id. */
@Injectable()
export class ClientRegistry {
  private readonly clients = new Map<string, Map<string, RegisteredClient>>();

  constructor(@Inject(CONFIG) config: Config) {
    for (const realm of config.realms) {
      this.clients.set(realm.name, new Map(realm.clients.map((client) => [client.clientId, registerClient(realm.name, client)])));
    }
  }

  find(realm: string, clientId: string): RegisteredClient | undefined {
    return this.clients.get(realm)?.get(clientId);
  }
}
