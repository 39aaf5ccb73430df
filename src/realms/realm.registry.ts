import { Inject, Injectable } from '@nestjs/common';
import { CONFIG } from '../config/config.token.js';
import type { Config } from '../config/config.schema.js';
import { OAuthError } from '../oauth/oauth.error.js';
import { realmFromConfig, type Realm } from './realm.js';

/** The configured realms by name. An unknown name is a 404 with an OAuth-style body. */
@Injectable()
export class RealmRegistry {
  private readonly realms: Map<string, Realm>;

  constructor(@Inject(CONFIG) config: Config) {
    this.realms = new Map(config.realms.map((realm) => [realm.name, realmFromConfig(config.publicUrl, realm)]));
  }

  get(name: string): Realm {
    const realm = this.realms.get(name);
    if (!realm) throw new OAuthError('not_found', `unknown realm "${name}"`);
    return realm;
  }

  all(): Realm[] {
    return [...this.realms.values()];
  }
}
