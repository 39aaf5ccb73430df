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

  /** Records the NameID of the SSO session's latest login (a renewed SSO session keeps one row). */
  async record(row: SsoSessionNameId, db: Queryable = this.db): Promise<void> {
    await db.query(
      `INSERT INTO sso_session_name_ids (sso_session_id, realm, idp_alias, name_id_digest, name_id_enc) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (sso_session_id) DO UPDATE SET idp_alias = $3, name_id_digest = $4, name_id_enc = $5`,
      [row.ssoSessionId, row.realm, row.idpAlias, row.nameIdDigest, row.nameIdEnc],
    );
  }

  /**
   * The live SSO sessions of `realm` that IdP `idpAlias` opened for the NameID with this digest; with
   * session indexes, only those it opened under one of them (SAML Core §3.7.3.2).
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
        WHERE n.realm = $1 AND n.idp_alias = $2 AND n.name_id_digest = $3 AND u.idp_alias = $2
          AND u.ended_at IS NULL AND u.idle_expires_at > $4 AND u.max_expires_at > $4
          AND (cardinality($5::text[]) = 0 OR u.idp_session_index = ANY($5::text[]))`,
      [realm, idpAlias, nameIdDigest, now, sessionIndexes],
    );
    return rows.map((row) => row.id);
  }

  /** The encrypted NameID of SSO session `ssoSessionId`, if its login was at a SAML IdP. */
  async sealedNameId(ssoSessionId: string): Promise<string | undefined> {
    const { rows } = await this.db.query<{ name_id_enc: string }>(
      'SELECT name_id_enc FROM sso_session_name_ids WHERE sso_session_id = $1',
      [ssoSessionId],
    );
    return rows[0]?.name_id_enc;
  }
}
