import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type Database, type Queryable } from './database.js';

/** Access tokens denied before their `exp` (RFC 7009); a row lives only until the token would expire. */
@Injectable()
export class RevokedAccessTokenRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  /** Denies access token `jti` until `expiresAt`; true when this call revoked it (not revoked already). */
  async revoke(realm: string, jti: string, expiresAt: Date, db: Queryable = this.db): Promise<boolean> {
    const { rowCount } = await db.query(
      'INSERT INTO revoked_access_tokens (jti, realm, expires_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
      [jti, realm, expiresAt],
    );
    return rowCount === 1;
  }

  async isRevoked(jti: string): Promise<boolean> {
    const { rows } = await this.db.query('SELECT 1 FROM revoked_access_tokens WHERE jti = $1', [jti]);
    return rows.length > 0;
  }
}
