import { Inject, Injectable, Logger } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock.js';
import { sha256 } from '../common/constant-time.js';
import { randomToken } from '../common/random.js';
import { defaultContext } from '../identity/default-context.js';
import type { IdentityLink } from '../identity/identity-link.js';
import type { SessionContext } from '../identity/session-context.js';
import type { Identifier, PersonName } from '../identity/principal.js';
import type { UserType } from '../identity/user-type.js';
import type { KeyEncryption } from '../keys/key-encryption.js';
import type { Queryable } from '../storage/database.js';
import { formatScope } from '../protocol/scope.js';
import type { Realm } from '../realms/realm.js';
import { SessionRepository, type SessionRow } from '../storage/session.repository.js';
import { SsoSessionRepository, type EndedSso, type SsoSessionRow } from '../storage/sso-session.repository.js';
import { NATIONAL_ID_ENCRYPTION } from './session.service.js';

/** What the IdP step established about the person in this browser. */
export interface SsoAuthentication {
  realm: Realm;
  userId: string;
  idpAlias: string;
  idpSessionIndex?: string;
  userType: UserType;
  profile: PersonName;
  authTime: Date;
  acr?: string;
  link: IdentityLink;
  /** The IdP's `SessionNotOnOrAfter` (SAML Core §2.7.2): a hard cap on top of `sessionMax`. */
  notOnOrAfter?: Date;
  /** A citizen's CPR/BSN, kept (encrypted) only when a client of the realm must receive it. */
  nationalIdentifier?: Identifier;
}

/** An SSO session and the value of the browser's identity cookie that names it (never stored). */
export interface EstablishedSso {
  sso: SsoSessionRow;
  secret: string;
  /** Another person's SSO session in this browser that this login ended, with its client sessions: their LOGOUTs are owed. */
  ended?: EndedSso;
}

/** The end reason of an SSO session, and of its client sessions, that another person's login in the browser ended. */
const ANOTHER_USER_LOGGED_IN = 'another user logged in in this browser';

/** The SSO session a client session was to open in ended, or ran out, after it was read. */
export class SsoSessionOver extends Error {
  constructor() {
    super('the SSO session is over');
  }
}

/**
 * Single sign-on in a realm (OIDC Core §3.1.2.3: the OP may answer from an existing session). A
 * login at the IdP establishes the browser's SSO session; each authorization (at login or later from
 * the same browser, for any client of the realm) opens a client session in it, with its own refresh
 * chain. The SSO session lives `sessionIdle` from its last use (a login or a refresh of any of its
 * client sessions), never past `sessionMax` nor the IdP's `SessionNotOnOrAfter`; every client
 * session dies with it.
 */
@Injectable()
export class SsoSessionService {
  private readonly logger = new Logger('SsoSessions');

  constructor(
    private readonly ssoSessions: SsoSessionRepository,
    private readonly sessions: SessionRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(NATIONAL_ID_ENCRYPTION) private readonly encryption: KeyEncryption,
  ) {}

  /**
   * The SSO session after an authentication at the IdP. When the browser already has a live one of the
   * same person (`prompt=login`, `max_age`), it is renewed in place, so the client sessions in it live
   * on; another person's is ended first (this browser is now someone else's). The cookie value is new
   * either way, so a value known before the login names nothing afterwards (session fixation). A
   * renewed session takes the new SessionIndex; single logout for the earlier one still finds it by
   * its client sessions' (SAML Core §3.7.3.2: every session the IdP's LogoutRequest names must end).
   * The client sessions the other person's end took along are returned for the caller to record their
   * LOGOUTs in `db`'s transaction, as {@link endWithClientSessions} returns them to every caller.
   */
  async establish(authentication: SsoAuthentication, presentedSecret: string | undefined, db?: Queryable): Promise<EstablishedSso> {
    const { realm } = authentication;
    const now = this.clock.now();
    const secret = randomToken(32);
    const previous = presentedSecret === undefined ? undefined : await this.resume(realm, presentedSecret, db);
    let ended: EndedSso | undefined;
    if (previous && previous.user_id === authentication.userId) {
      const renewed = await this.ssoSessions.reauthenticate(
        previous.id,
        {
          secret_hash: digest(secret),
          idp_alias: authentication.idpAlias,
          idp_session_index: authentication.idpSessionIndex ?? null,
          profile: authentication.profile,
          auth_time: authentication.authTime,
          acr: authentication.acr ?? null,
          link: authentication.link,
          national_id_enc: this.seal(previous.id, authentication.nationalIdentifier),
          idleSeconds: realm.config.sessionIdle,
          notOnOrAfter: authentication.notOnOrAfter ?? null,
        },
        now,
        db,
      );
      if (renewed) {
        // The IdP's new SessionNotOnOrAfter may end it sooner: the client sessions in it end no later.
        await this.sessions.capToSso(renewed.id, renewed.max_expires_at, db);
        return { sso: renewed, secret, ended };
      }
    } else if (previous) {
      // One SSO session, so no lockForEnding: its ending UPDATE is the login's first lock on a session
      // row and holds it before any client session in it, the order of session.statements.ts.
      ended = await this.endWithClientSessions(previous.id, ANOTHER_USER_LOGGED_IN, db);
    }

    const id = randomToken(16);
    const maxEnd = Math.min(now.getTime() + realm.config.sessionMax * 1000, authentication.notOnOrAfter?.getTime() ?? Infinity);
    const sso: SsoSessionRow = {
      id,
      realm: realm.name,
      user_id: authentication.userId,
      secret_hash: digest(secret),
      idp_alias: authentication.idpAlias,
      idp_session_index: authentication.idpSessionIndex ?? null,
      user_type: authentication.userType,
      profile: authentication.profile,
      auth_time: authentication.authTime,
      acr: authentication.acr ?? null,
      link: authentication.link,
      national_id_enc: this.seal(id, authentication.nationalIdentifier),
      created_at: now,
      idle_expires_at: new Date(Math.min(now.getTime() + realm.config.sessionIdle * 1000, maxEnd)),
      max_expires_at: new Date(maxEnd),
      ended_at: null,
      end_reason: null,
    };
    await this.ssoSessions.create(sso, db);
    return { sso, secret, ended };
  }

  /** The live SSO session of `realm` the browser's identity cookie names, if any. */
  resume(realm: Realm, secret: string, db?: Queryable): Promise<SsoSessionRow | undefined> {
    return this.ssoSessions.findLiveBySecret(realm.name, digest(secret), this.clock.now(), db);
  }

  /**
   * A client session in `sso` for one authorization: the person, FHIR link and context of the login
   * (the default context of its link, as at login, unless the caller found its care team lapsed and
   * gives the context left; no new IdP step), its own refresh
   * chain, lifetimes inside the SSO session's. Its id starts with the SSO session's (`{sso}.{own}`),
   * so the login-status iframe can tell from the browser's session cookie alone whether a token's
   * `sid` belongs to the browser's SSO session (keycloak-js `checkLoginIframe`). Opening it counts as
   * a use of the SSO session: its idle end slides.
   */
  async openClientSession(
    realm: Realm,
    sso: SsoSessionRow,
    client: { clientId: string; scope: string[]; context?: SessionContext },
    db?: Queryable,
  ): Promise<SessionRow> {
    const now = this.clock.now();
    const id = `${sso.id}.${randomToken(16)}`;
    const maxEnd = sso.max_expires_at.getTime();
    const session: SessionRow = {
      id,
      realm: realm.name,
      user_id: sso.user_id,
      client_id: client.clientId,
      idp_alias: sso.idp_alias,
      idp_session_index: sso.idp_session_index,
      user_type: sso.user_type,
      profile: sso.profile,
      auth_time: sso.auth_time,
      acr: sso.acr,
      link: sso.link,
      scope: formatScope(client.scope),
      tenant: null,
      refresh_jti: null,
      created_at: now,
      idle_expires_at: new Date(Math.min(now.getTime() + realm.config.sessionIdle * 1000, maxEnd)),
      max_expires_at: new Date(maxEnd),
      ended_at: null,
      end_reason: null,
      context: client.context ?? defaultContext(sso.link) ?? null,
      parent_id: null,
      delegation: null,
      // Sealed anew: a ciphertext is bound to its row's id.
      national_id_enc: this.seal(id, this.unseal(sso)),
      sso_session_id: sso.id,
    };
    // Touched first: an SSO session that ended since `sso` was read (a logout meanwhile) opens nothing.
    // In the caller's transaction its row stays locked until the commit, so an end waits, then ends this one too.
    if (!(await this.ssoSessions.touch(sso.id, realm.config.sessionIdle, now, db))) throw new SsoSessionOver();
    await this.sessions.create(session, db);
    return session;
  }

  /**
   * Ends SSO session `id` and every client session in it (logout at the RP or the IdP, an
   * administrator, another person's login in the browser); returns the client sessions this call
   * ended, each owed its LOGOUT (AuditTrail.ssoSessionEnded), with the SSO session, or undefined when it did not end it. The SSO session's end is one conditional UPDATE, so of
   * concurrent callers one wins and it alone records; the client sessions are the rows its ending
   * UPDATE returned, not a read made before it, so one a revocation ended in between gets no second
   * LOGOUT and one opened in between does not end without one. Those that had run out are left as
   * they are (SessionRepository.endAllInSso: expiry is not an event).
   */
  async endWithClientSessions(id: string, reason: string, db?: Queryable): Promise<EndedSso | undefined> {
    const now = this.clock.now();
    // The winner ended the client sessions in the transaction that ended the SSO session.
    const sso = await this.ssoSessions.end(id, reason, now, db);
    if (!sso) return undefined;
    const clientSessions = await this.sessions.endAllInSso(id, reason, now, db);
    this.logger.log({ ssoSession: id, clientSessions: clientSessions.length, reason }, 'SSO session ended');
    return { sso, clientSessions };
  }

  /**
   * Locks SSO sessions `ids` and their client sessions until the end of transaction `tx`, in the order
   * a refresh token rotation locks them (session.statements.ts): first in a transaction that ends
   * several with {@link endWithClientSessions}, one after the other.
   */
  lockForEnding(ids: readonly string[], tx: Queryable): Promise<void> {
    return this.sessions.lockInSsoSessions(ids, tx);
  }

  /** The SSO session a client session belongs to, if it has one (live or not). */
  find(id: string): Promise<SsoSessionRow | undefined> {
    return this.ssoSessions.find(id);
  }

  private seal(rowId: string, identifier: Identifier | undefined): string | null {
    return identifier ? this.encryption.encrypt(`${identifier.system}|${identifier.value}`, rowId) : null;
  }

  private unseal(sso: SsoSessionRow): Identifier | undefined {
    if (!sso.national_id_enc) return undefined;
    const plain = this.encryption.decrypt(sso.national_id_enc, sso.id);
    const separator = plain.lastIndexOf('|');
    return { system: plain.slice(0, separator), value: plain.slice(separator + 1) };
  }
}

/** The SSO session a client session belongs to, read from its id (`{sso}.{own}`); none for older sessions. */
export function ssoSessionIdOf(sessionId: string): string | undefined {
  const dot = sessionId.indexOf('.');
  return dot > 0 ? sessionId.slice(0, dot) : undefined;
}

/** Only the digest of the cookie value is stored: a database reader cannot take over a browser's session. */
function digest(secret: string): string {
  return sha256(secret).toString('base64url');
}
