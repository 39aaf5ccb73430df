import { Injectable } from '@nestjs/common';
import type { Realm } from '../realms/realm.js';
import { RealmRegistry } from '../realms/realm.registry.js';
import { loadRealmSettings, type IdpSettings } from './saml-settings.js';

/** Every realm's SP towards each of its IdPs, loaded (and cross-checked) once at boot. */
@Injectable()
export class IdpSettingsRegistry {
  private readonly settings = new Map<string, IdpSettings>();

  constructor(realms: RealmRegistry) {
    for (const realm of realms.all()) {
      for (const idp of loadRealmSettings(realm)) this.settings.set(key(realm.name, idp.idp.alias), idp);
    }
  }

  /** The settings of IdP `alias` of `realm`; undefined when the realm has no such SAML IdP. */
  find(realm: Realm, alias: string): IdpSettings | undefined {
    return this.settings.get(key(realm.name, alias));
  }
}

function key(realm: string, alias: string): string {
  return `${realm}\u0000${alias}`;
}
