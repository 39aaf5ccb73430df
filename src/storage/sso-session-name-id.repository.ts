import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type Database, type Queryable } from './database.js';

/** The NameID of an SSO session's login, as stored (migration 013): a keyed digest and a ciphertext. */
export interface SsoSessionNameId {
  ssoSessionId: string;
  realm: string;
  idpAlias: string;
  nameIdDigest: string;
  nameIdEnc: string;
}

/** Rows of `sso_session_name_ids`: which SSO sessions an IdP's NameID names (SAML single logout). */
@Injectable()
export class SsoSessionNameIdRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  /**
   * Records a NameID of the SSO session's login (migration 015): a renewed SSO session keeps the rows
   * of its earlier logins, so a LogoutRequest naming any of them still finds it; the same NameID again
   * becomes the latest.
   */
  async record(row: SsoSessionNameId, db: Queryable = this.db): Promise<void> {
    await db.query(
      `INSERT INTO sso_session_name_ids (sso_session_id, realm, idp_alias, name_id_digest, name_id_enc) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (sso_session_id, idp_alias, name_id_digest) DO UPDATE SET name_id_enc = $5, recorded = DEFAULT`,
      [row.ssoSessionId, row.realm, row.idpAlias, row.nameIdDigest, row.nameIdEnc],
    );
  }

  /**
   * The live SSO sessions of `realm` that IdP `idpAlias` gave the NameID with this digest at any of
   * their logins; with session indexes, only those it gave one of them (SAML Core §3.7.3.2). A renewed
   * SSO session has only its latest SessionIndex, but its client sessions keep the one they were
   * opened under: a LogoutRequest for an earlier IdP session must still end the client sessions that
   * live on from it, so the SSO session (and with it every client session) ends.
   */
  async liveSsoSessions(
    realm: string,
    idpAlias: string,
    nameIdDigest: string,
    sessionIndexes: readonly string[],
    now: Date,
  ): Promise<string[]> {
    const { rows } = await this.db.query<{ id: string }>(
      `SELECT u.id FROM sso_session_name_ids n JOIN sso_sessions u ON u.id = n.sso_session_id
        WHERE n.realm = $1 AND n.idp_alias = $2 AND n.name_id_digest = $3
          AND u.ended_at IS NULL AND u.idle_expires_at > $4 AND u.max_expires_at > $4
          AND (cardinality($5::text[]) = 0
               OR (u.idp_alias = $2 AND u.idp_session_index = ANY($5::text[]))
               OR EXISTS (SELECT 1 FROM sessions s
                           WHERE s.sso_session_id = u.id AND s.idp_alias = $2 AND s.idp_session_index = ANY($5::text[])))`,
      [realm, idpAlias, nameIdDigest, now, sessionIndexes],
    );
    return rows.map((row) => row.id);
  }

  /** The encrypted NameID of SSO session `ssoSessionId`'s latest login at its IdP, if that is a SAML IdP. */
  async sealedNameId(ssoSessionId: string): Promise<string | undefined> {
    const { rows } = await this.db.query<{ name_id_enc: string }>(
      `SELECT n.name_id_enc FROM sso_session_name_ids n JOIN sso_sessions u ON u.id = n.sso_session_id AND u.idp_alias = n.idp_alias
        WHERE n.sso_session_id = $1 ORDER BY n.recorded DESC LIMIT 1`,
      [ssoSessionId],
    );
    return rows[0]?.name_id_enc;
  }
}
