import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type Database } from './database.js';

/** Used client-assertion `jti`s (RFC 7523 §3 item 7), shared by every instance through the database. */
@Injectable()
export class ClientAssertionJtiRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  /** Records the jti; false when it was already used (the insert is the atomic check). */
  async consume(realm: string, clientId: string, jti: string, expiresAt: Date): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `INSERT INTO client_assertion_jtis (realm, client_id, jti, expires_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING`,
      [realm, clientId, jti, expiresAt],
    );
    return rowCount === 1;
  }
}
