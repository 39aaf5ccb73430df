import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock.js';
import type { Config } from '../config/config.schema.js';
import { CONFIG } from '../config/config.token.js';
import type { IdpNameId } from '../identity/idp-name-id.js';
import { KeyEncryption } from '../keys/key-encryption.js';
import { KeyedDigest } from '../keys/keyed-digest.js';
import type { Realm } from '../realms/realm.js';
import type { Queryable } from '../storage/database.js';
import { SsoSessionNameIdRepository } from '../storage/sso-session-name-id.repository.js';

/**
 * Whom the IdP named at login, per SSO session (SAML Core §3.7: single logout names the person by the
 * same NameID, and their sessions by SessionIndex). The NameID is kept only as a keyed digest, to find
 * the sessions an IdP's LogoutRequest names, and encrypted, bound to its SSO session, for the
 * LogoutRequest this SP sends; a citizen's NameID may carry a CPR or BSN (DigiD's `s00000000:…`).
 */
@Injectable()
export class IdpSubjects {
  private readonly digest: KeyedDigest;
  private readonly encryption: KeyEncryption;

  constructor(
    private readonly nameIds: SsoSessionNameIdRepository,
    @Inject(CONFIG) config: Config,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.digest = new KeyedDigest(config.keys.encryptionKey, 'idp-name-id-digest/v1');
    this.encryption = new KeyEncryption(config.keys.encryptionKey, 'idp-name-id/v1');
  }

  /** Records who SSO session `ssoSessionId` belongs to at IdP `idpAlias` (its latest login there). */
  async remember(realm: Realm, ssoSessionId: string, idpAlias: string, nameId: IdpNameId, db?: Queryable): Promise<void> {
    await this.nameIds.record(
      {
        ssoSessionId,
        realm: realm.name,
        idpAlias,
        nameIdDigest: this.digestOf(nameId),
        nameIdEnc: this.encryption.encrypt(JSON.stringify(nameId), ssoSessionId),
      },
      db,
    );
  }

  /** The live SSO sessions IdP `idpAlias` opened for `nameId`; only those under `sessionIndexes` when it names any. */
  liveSsoSessions(realm: Realm, idpAlias: string, nameId: IdpNameId, sessionIndexes: readonly string[]): Promise<string[]> {
    return this.nameIds.liveSsoSessions(realm.name, idpAlias, this.digestOf(nameId), sessionIndexes, this.clock.now());
  }

  /** The NameID of SSO session `ssoSessionId`'s login, decrypted; undefined when it was no SAML login. */
  async nameIdOf(ssoSessionId: string): Promise<IdpNameId | undefined> {
    const sealed = await this.nameIds.sealedNameId(ssoSessionId);
    return sealed === undefined ? undefined : (JSON.parse(this.encryption.decrypt(sealed, ssoSessionId)) as IdpNameId);
  }

  /**
   * The value only, under the IdP's alias: IdPs differ in whether a LogoutRequest repeats the
   * qualifiers the assertion had (SAML Core §2.2.3 lets a qualifier default), and a missed match would
   * leave a session alive while the IdP is told it ended.
   */
  private digestOf(nameId: IdpNameId): string {
    return this.digest.digest(nameId.value);
  }
}
