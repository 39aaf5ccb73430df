import { Inject, Injectable } from '@nestjs/common';
import type { IdentityLink } from '../identity/identity-link.js';
import type { PersonName } from '../identity/principal.js';
import type { UserType } from '../identity/user-type.js';
import { DATABASE, type Database, type NamedStatement, type Queryable } from './database.js';
import type { EndedClientSession } from './session.repository.js';

/** A browser's single sign-on session in a realm (migration 012). */
export interface SsoSessionRow {
  id: string;
  realm: string;
  user_id: string;
  /** SHA-256 (base64url) of the identity cookie's value; the value itself is never stored. */
  secret_hash: string;
  idp_alias: string;
  idp_session_index: string | null;
  user_type: UserType;
  /** Display name only (OIDC `profile` claims); never a national identifier. */
  profile: PersonName;
  auth_time: Date;
  acr: string | null;
  link: IdentityLink;
  national_id_enc: string | null;
  created_at: Date;
  idle_expires_at: Date;
  max_expires_at: Date;
  ended_at: Date | null;
  end_reason: string | null;
}

export type NewSsoSession = Omit<SsoSessionRow, 'ended_at' | 'end_reason'>;

/** An SSO session one call ended: whose it was, and whether it was still live then (not run out). */
export type EndedSsoSession = Pick<SsoSessionRow, 'id' | 'realm' | 'user_id' | 'idp_alias'> & { live: boolean };

/** An SSO session one call ended, and the client sessions that call ended with it, each owed its LOGOUT. */
export interface EndedSso {
  sso: EndedSsoSession;
  clientSessions: EndedClientSession[];
}

/** What a new authentication of the same person in the same browser changes. */
export type Reauthentication = Pick<
  SsoSessionRow,
  'secret_hash' | 'idp_alias' | 'idp_session_index' | 'profile' | 'auth_time' | 'acr' | 'link' | 'national_id_enc'
> & { idleSeconds: number; notOnOrAfter: Date | null };

const LIVE = 'ended_at IS NULL AND idle_expires_at > $2 AND max_expires_at > $2';

/**
 * Up to `$1` live SSO sessions of mocked users' logins (`mock`, the alias realm-config.schema.ts
 * reserves for them; login/idp-redirector.ts), in every realm, by migration 020's index of them
 * alone: every production start asks (login/mocked-sessions-sweep.ts). The alias is written out, not a
 * parameter, so the planner can match the index's predicate in a generic plan too.
 */
export const LIVE_MOCKED_SSO_SESSIONS: NamedStatement = {
  name: 'sso-sessions.live-mocked',
  text: `SELECT id FROM sso_sessions WHERE idp_alias = 'mock' AND ${LIVE} ORDER BY id LIMIT $1`,
};

/** SSO sessions: looked up by the digest of the browser's cookie, each change one conditional statement. */
@Injectable()
export class SsoSessionRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async create(session: NewSsoSession, db: Queryable = this.db): Promise<void> {
    await db.query(
      `INSERT INTO sso_sessions (id, realm, user_id, secret_hash, idp_alias, idp_session_index, user_type, profile, auth_time, acr, link,
                                 national_id_enc, created_at, idle_expires_at, max_expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
      [
        session.id,
        session.realm,
        session.user_id,
        session.secret_hash,
        session.idp_alias,
        session.idp_session_index,
        session.user_type,
        JSON.stringify(session.profile),
        session.auth_time,
        session.acr,
        JSON.stringify(session.link),
        session.national_id_enc,
        session.created_at,
        session.idle_expires_at,
        session.max_expires_at,
      ],
    );
  }

  /** The live SSO session of `realm` whose cookie digests to `secretHash`. */
  async findLiveBySecret(realm: string, secretHash: string, now: Date, db: Queryable = this.db): Promise<SsoSessionRow | undefined> {
    const { rows } = await db.query<SsoSessionRow>(`SELECT * FROM sso_sessions WHERE secret_hash = $1 AND ${LIVE} AND realm = $3`, [
      secretHash,
      now,
      realm,
    ]);
    return rows[0];
  }

  async findLive(id: string, now: Date): Promise<SsoSessionRow | undefined> {
    const { rows } = await this.db.query<SsoSessionRow>(`SELECT * FROM sso_sessions WHERE id = $1 AND ${LIVE}`, [id, now]);
    return rows[0];
  }

  async find(id: string): Promise<SsoSessionRow | undefined> {
    const { rows } = await this.db.query<SsoSessionRow>('SELECT * FROM sso_sessions WHERE id = $1', [id]);
    return rows[0];
  }

  /**
   * The same person authenticated again in this browser (`prompt=login`, `max_age`): the session keeps
   * its id, so the client sessions under it live on, and takes the new authentication and a new cookie
   * value (no fixation). Its absolute end never moves later, only earlier (a new `SessionNotOnOrAfter`).
   * The earlier SessionIndex stays with the client sessions opened under it, and the earlier NameID in
   * its own row: an IdP's LogoutRequest naming the earlier login still ends this session
   * (sso-session-name-id.repository.ts, SAML Core §3.7.3.2).
   */
  async reauthenticate(id: string, change: Reauthentication, now: Date, db: Queryable = this.db): Promise<SsoSessionRow | undefined> {
    const { rows } = await db.query<SsoSessionRow>(
      `UPDATE sso_sessions
          SET secret_hash = $3, idp_alias = $4, idp_session_index = $5, profile = $6, auth_time = $7, acr = $8, link = $9,
              national_id_enc = $10,
              max_expires_at = LEAST(max_expires_at, COALESCE($12::timestamptz, max_expires_at)),
              idle_expires_at = LEAST($2::timestamptz + make_interval(secs => $11), max_expires_at, COALESCE($12::timestamptz, max_expires_at))
        WHERE id = $1 AND ${LIVE}
        RETURNING *`,
      [
        id,
        now,
        change.secret_hash,
        change.idp_alias,
        change.idp_session_index,
        JSON.stringify(change.profile),
        change.auth_time,
        change.acr,
        JSON.stringify(change.link),
        change.national_id_enc,
        change.idleSeconds,
        change.notOnOrAfter,
      ],
    );
    return rows[0];
  }

  /** Slides the idle end (a client session was opened or refreshed in it), never past the absolute end. */
  async touch(id: string, idleSeconds: number, now: Date, db: Queryable = this.db): Promise<SsoSessionRow | undefined> {
    const { rows } = await db.query<SsoSessionRow>(
      `UPDATE sso_sessions SET idle_expires_at = LEAST($2::timestamptz + make_interval(secs => $3), max_expires_at)
        WHERE id = $1 AND ${LIVE} RETURNING *`,
      [id, now, idleSeconds],
    );
    return rows[0];
  }

  /**
   * Ends the SSO session; what it was when this call ended it, undefined when it had ended already. Its
   * client sessions die with it (session.repository.ts). `live`: it had not run out.
   */
  async end(id: string, reason: string, now: Date, db: Queryable = this.db): Promise<EndedSsoSession | undefined> {
    const { rows } = await db.query<EndedSsoSession>(
      `UPDATE sso_sessions SET ended_at = $2, end_reason = $3 WHERE id = $1 AND ended_at IS NULL
       RETURNING id, realm, user_id, idp_alias, (idle_expires_at > $2 AND max_expires_at > $2) AS live`,
      [id, now, reason],
    );
    return rows[0];
  }

  /**
   * Ids of up to `limit` live SSO sessions after id `after` whose realm and IdP alias are not among
   * `logins` (the pairs the config has): of an IdP or a realm since removed. One scan of the live rows
   * at a start, page by page from where the last page ended.
   */
  async liveOfLoginsBesides(
    logins: readonly { realm: string; alias: string }[],
    now: Date,
    after: string,
    limit: number,
  ): Promise<string[]> {
    const { rows } = await this.db.query<{ id: string }>(
      `SELECT s.id FROM sso_sessions s
        WHERE ${LIVE} AND s.id > $5
          AND NOT EXISTS (SELECT 1 FROM unnest($3::text[], $4::text[]) AS known(realm, alias)
                           WHERE known.realm = s.realm AND known.alias = s.idp_alias)
        ORDER BY s.id LIMIT $1`,
      [limit, now, logins.map((login) => login.realm), logins.map((login) => login.alias), after],
    );
    return rows.map((row) => row.id);
  }

  /** Ids of up to `limit` live SSO sessions of mocked users, in any realm ({@link LIVE_MOCKED_SSO_SESSIONS}). */
  async liveOfMockedUsers(now: Date, limit: number): Promise<string[]> {
    const { rows } = await this.db.query<{ id: string }>(LIVE_MOCKED_SSO_SESSIONS, [limit, now]);
    return rows.map((row) => row.id);
  }

  /**
   * Ends every live SSO session of a user in a realm (an administrator's "log out everywhere"); returns
   * those it ended, each owed its LOGOUT as any SSO session's end is (AuditTrail.ssoSessionEnded). One
   * that had run out is left as it is, as SessionRepository.endAllOfUser leaves a client session:
   * expiry is not an event (migration 013), and counting it as ended would overstate the call.
   */
  async endAllOfUser(realm: string, userId: string, reason: string, now: Date, db: Queryable = this.db): Promise<EndedSsoSession[]> {
    const { rows } = await db.query<EndedSsoSession>(
      `UPDATE sso_sessions SET ended_at = $2, end_reason = $4 WHERE realm = $1 AND user_id = $3 AND ${LIVE}
       RETURNING id, realm, user_id, idp_alias, true AS live`,
      [realm, now, userId, reason],
    );
    return rows;
  }
}
