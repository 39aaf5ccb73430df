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

/** Rows of `sso_session_name_ids` and `sso_session_earlier_name_ids`: which SSO sessions an IdP's NameID names (SAML single logout). */
@Injectable()
export class SsoSessionNameIdRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  /**
   * Records the NameID of the SSO session's latest login; the one it replaces, if another, is kept as
   * a digest (migration 015), so a LogoutRequest naming an earlier login's NameID still finds it.
   * One statement: the data-modifying CTE reads the row as it was before the upsert.
   */
  async record(row: SsoSessionNameId, db: Queryable = this.db): Promise<void> {
    await db.query(
      `WITH earlier AS (
         INSERT INTO sso_session_earlier_name_ids (sso_session_id, realm, idp_alias, name_id_digest)
         SELECT sso_session_id, realm, idp_alias, name_id_digest FROM sso_session_name_ids
          WHERE sso_session_id = $1 AND (idp_alias, name_id_digest) IS DISTINCT FROM ($3::text, $4::text)
         ON CONFLICT DO NOTHING
       )
       INSERT INTO sso_session_name_ids (sso_session_id, realm, idp_alias, name_id_digest, name_id_enc) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (sso_session_id) DO UPDATE SET idp_alias = $3, name_id_digest = $4, name_id_enc = $5`,
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
      `SELECT u.id FROM sso_sessions u
        WHERE u.id IN (SELECT sso_session_id FROM sso_session_name_ids WHERE realm = $1 AND idp_alias = $2 AND name_id_digest = $3
                       UNION
                       SELECT sso_session_id FROM sso_session_earlier_name_ids WHERE realm = $1 AND idp_alias = $2 AND name_id_digest = $3)
          AND u.ended_at IS NULL AND u.idle_expires_at > $4 AND u.max_expires_at > $4
          AND (cardinality($5::text[]) = 0
               OR (u.idp_alias = $2 AND u.idp_session_index = ANY($5::text[]))
               OR EXISTS (SELECT 1 FROM sessions s
                           WHERE s.sso_session_id = u.id AND s.idp_alias = $2 AND s.idp_session_index = ANY($5::text[])))`,
      [realm, idpAlias, nameIdDigest, now, sessionIndexes],
    );
    return rows.map((row) => row.id);
  }

  /** The encrypted NameID of SSO session `ssoSessionId`'s latest login, if that was at a SAML IdP. */
  async sealedNameId(ssoSessionId: string): Promise<string | undefined> {
    const { rows } = await this.db.query<{ name_id_enc: string }>(
      'SELECT name_id_enc FROM sso_session_name_ids WHERE sso_session_id = $1',
      [ssoSessionId],
    );
    return rows[0]?.name_id_enc;
  }
}
