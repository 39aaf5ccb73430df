import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type Database, type Queryable } from './database.js';

/** Assertion IDs already accepted (`saml_used_assertions`), shared by every instance. */
@Injectable()
export class SamlAssertionRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  /**
   * Records the assertion ID of `issuer`; false when it was already used. The insert is the atomic
   * check (SAML Profiles §4.1.4.5: the SP must ensure a bearer assertion is not replayed).
   */
  async consume(issuer: string, assertionId: string, realm: string, expiresAt: Date, db: Queryable = this.db): Promise<boolean> {
    const { rowCount } = await db.query(
      `INSERT INTO saml_used_assertions (issuer, assertion_id, realm, expires_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING`,
      [issuer, assertionId, realm, expiresAt],
    );
    return rowCount === 1;
  }
}
