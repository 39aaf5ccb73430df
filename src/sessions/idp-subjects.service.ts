import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock.js';
import type { Config } from '../config/config.schema.js';
import { CONFIG } from '../config/config.token.js';
import type { IdpNameId } from '../identity/idp-name-id.js';
import { KeyEncryption } from '../keys/key-encryption.js';
import { KeyedDigest } from '../keys/keyed-digest.js';
import type { Realm } from '../realms/realm.js';
import type { IdpLogoutRequest } from '../saml/saml-logout.service.js';
import type { Queryable } from '../storage/database.js';
import { SamlIdpLogoutRepository } from '../storage/saml-idp-logout.repository.js';
import { SsoSessionNameIdRepository } from '../storage/sso-session-name-id.repository.js';

/** What an assertion says of the login it is about to make, as far as an IdP's LogoutRequest can cover it. */
export interface ArrivingLogin {
  nameId?: IdpNameId;
  sessionIndex?: string;
  /** The assertion's IssueInstant. */
  issuedAt?: Date;
}

/**
 * Whom the IdP named at login, per SSO session (SAML Core §3.7: single logout names the person by the
 * same NameID, and their sessions by SessionIndex). The NameID is kept only as a keyed digest, to find
 * the sessions an IdP's LogoutRequest names, and encrypted, bound to its SSO session, for the
 * LogoutRequest this SP sends; a citizen's NameID may carry a CPR or BSN (DigiD's `s00000000:…`).
 *
 * And whom the IdP's LogoutRequests named, kept for assertions that arrive after them (SAML Core
 * §3.7.3.2: "The session participant MUST apply the logout request message to any assertion that
 * meets the following conditions, even if the assertion arrives after the logout request": its
 * subject matches the request's NameID, its SessionIndex is one the request named or the request named
 * none, and the request has not expired). A person's browser may be mid-login when the national IdP
 * logs them out everywhere; the assertion it carries must not make a session here. Kept by the same
 * digest, in a table every instance shares (migration 021).
 */
@Injectable()
export class IdpSubjects {
  private readonly digest: KeyedDigest;
  private readonly encryption: KeyEncryption;

  constructor(
    private readonly nameIds: SsoSessionNameIdRepository,
    private readonly logouts: SamlIdpLogoutRepository,
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

  /**
   * Records IdP `idpAlias`'s verified LogoutRequest, and commits it, under the person's lock, which a
   * login's {@link loggedOutAtIdp} holds until its session is committed (SAML Core §3.7.3.2).
   * SingleLogoutService does so before it looks for the sessions the request names: a login that took
   * the lock first has committed its session by then, and the search finds it; one that takes it
   * after finds the record, and is refused. No window is left between the two (docs/ARCHITECTURE.md,
   * "A logout").
   */
  async recordLogout(realm: Realm, idpAlias: string, request: IdpLogoutRequest): Promise<void> {
    const { id: requestId, sessionIndexes, issuedAt, appliesUntil: expiresAt } = request;
    const nameIdDigest = this.digestOf(request.nameId);
    await this.logouts.record({ realm: realm.name, idpAlias, nameIdDigest, requestId, sessionIndexes, issuedAt, expiresAt });
  }

  /**
   * Whether an accepted LogoutRequest of IdP `idpAlias` covers this login's assertion: the person's
   * lock, then one indexed lookup, in the login's own transaction `db`, which holds the lock until it
   * ends: a LogoutRequest recorded meanwhile waits for the login's session, and its search then finds
   * it ({@link recordLogout}). So it is asked first thing in that transaction, before it locks
   * anything else: whoever waits for the lock holds nothing. Only an assertion issued before the request, or
   * at its very instant (saml-idp-logout.repository.ts), is covered: one issued after it is a new login at the IdP, which a request naming no SessionIndex
   * must not block; both instants are the IdP's own clock. A login without NameID or IssueInstant (a
   * mocked user's) is no SAML assertion, and costs neither lock nor query.
   */
  async loggedOutAtIdp(realm: Realm, idpAlias: string, login: ArrivingLogin, db: Queryable): Promise<boolean> {
    if (login.nameId === undefined || login.issuedAt === undefined) return false;
    const { sessionIndex, issuedAt } = login;
    const assertion = { realm: realm.name, idpAlias, nameIdDigest: this.digestOf(login.nameId), sessionIndex, issuedAt };
    return this.logouts.covers(assertion, this.clock.now(), db);
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
