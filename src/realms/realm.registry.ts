import { Inject, Injectable } from '@nestjs/common';
import { CONFIG } from '../config/config.token.js';
import type { Config } from '../config/config.schema.js';
import { realmFromConfig, type Realm } from './realm.js';
import { UnknownRealmError } from './unknown-realm.error.js';

/** The configured realms by name; an unknown name throws {@link UnknownRealmError}. */
@Injectable()
export class RealmRegistry {
  private readonly realms: Map<string, Realm>;

  constructor(@Inject(CONFIG) config: Config) {
    this.realms = new Map(config.realms.map((realm) => [realm.name, realmFromConfig(config.publicUrl, realm)]));
  }

  get(name: string): Realm {
    const realm = this.realms.get(name);
    if (!realm) throw new UnknownRealmError(name);
    return realm;
  }

  all(): Realm[] {
    return [...this.realms.values()];
  }
}
