import { Inject, Injectable } from '@nestjs/common';
import type { Config } from '../config/config.schema.js';
import { CONFIG } from '../config/config.token.js';
import { KeyedDigest } from '../keys/keyed-digest.js';
import { EXTERNAL_ID_DIGEST_PREFIX, type ExternalIdentity } from '../storage/user.repository.js';

/**
 * How a person's identifier at an IdP is stored in `users.external_id`: as a keyed digest only. The
 * identifier may be a CPR or BSN (DigiD's NameID is `s00000000:` and the BSN; an OIOSAML NameID may
 * carry the CPR), and a national identifier is never stored in the clear; a plain hash would not do,
 * for there are few enough of them to hash them all (keyed-digest.ts). The key is derived from
 * `keys.encryptionKey`, which already cannot change without losing the stored signing keys; the
 * realm and IdP alias are part of what is digested, so one person's rows in two realms do not match.
 */
@Injectable()
export class ExternalIdDigest {
  private readonly digest: KeyedDigest;

  constructor(@Inject(CONFIG) config: Config) {
    this.digest = new KeyedDigest(config.keys.encryptionKey, 'user-external-id/v1');
  }

  /** The identity a login names: its digest to store, and the identifier to find a row of an earlier release by. */
  identity(realm: string, idpAlias: string, externalId: string): ExternalIdentity {
    return {
      digest: `${EXTERNAL_ID_DIGEST_PREFIX}${this.digest.digest(JSON.stringify([realm, idpAlias, externalId]))}`,
      legacy: externalId,
    };
  }
}
