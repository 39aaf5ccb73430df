import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type Database, type Queryable } from './database.js';

/** Assertion IDs already accepted (`saml_used_assertions`), shared by every instance. */
@Injectable()
export class SamlAssertionRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  /**
   * Records the assertion ID of `issuer`; false when it was already used. The insert is the atomic
   * check (SAML Profiles §4.1.4.5: the SP must ensure a bearer assertion is not replayed). An
   * assertion also records the login it answered (`relayState`, migration 025).
   */
  async consume(
    issuer: string,
    assertionId: string,
    realm: string,
    expiresAt: Date,
    db: Queryable = this.db,
    relayState: string | null = null,
  ): Promise<boolean> {
    const { rowCount } = await db.query(
      `INSERT INTO saml_used_assertions (issuer, assertion_id, realm, expires_at, relay_state) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT DO NOTHING`,
      [issuer, assertionId, realm, expiresAt, relayState],
    );
    return rowCount === 1;
  }

  /** Whether assertion `assertionId` of `issuer` was accepted for the login `relayState` of `realm` (its primary key, then its login). */
  async acceptedFor(issuer: string, assertionId: string, realm: string, relayState: string): Promise<boolean> {
    const { rows } = await this.db.query(
      `SELECT 1 FROM saml_used_assertions WHERE issuer = $1 AND assertion_id = $2 AND realm = $3 AND relay_state = $4`,
      [issuer, assertionId, realm, relayState],
    );
    return rows.length > 0;
  }

  /** Whether an assertion accepted for the login `relayState` of `realm` is on record. */
  async answered(realm: string, relayState: string): Promise<boolean> {
    const { rows } = await this.db.query(`SELECT 1 FROM saml_used_assertions WHERE realm = $1 AND relay_state = $2 LIMIT 1`, [
      realm,
      relayState,
    ]);
    return rows.length > 0;
  }
}
