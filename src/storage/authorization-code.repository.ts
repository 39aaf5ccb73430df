import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type Database, type Queryable } from './database.js';

export interface AuthorizationCodeRow {
  code_hash: string;
  realm: string;
  client_id: string;
  redirect_uri: string;
  code_challenge: string | null;
  nonce: string | null;
  scope: string;
  session_id: string;
  expires_at: Date;
  consumed_at: Date | null;
}

export type CodeRedemption =
  { outcome: 'redeemed'; code: AuthorizationCodeRow } | { outcome: 'replayed'; code: AuthorizationCodeRow } | { outcome: 'unknown' };

/** Authorization codes by digest; redemption is one conditional UPDATE, so exactly one caller wins. */
@Injectable()
export class AuthorizationCodeRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async create(code: Omit<AuthorizationCodeRow, 'consumed_at'>, db: Queryable = this.db): Promise<void> {
    await db.query(
      `INSERT INTO authorization_codes (code_hash, realm, client_id, redirect_uri, code_challenge, nonce, scope, session_id, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        code.code_hash,
        code.realm,
        code.client_id,
        code.redirect_uri,
        code.code_challenge,
        code.nonce,
        code.scope,
        code.session_id,
        code.expires_at,
      ],
    );
  }

  async redeem(realm: string, codeHash: string, now: Date, db: Queryable = this.db): Promise<CodeRedemption> {
    const redeemed = await db.query<AuthorizationCodeRow>(
      `UPDATE authorization_codes SET consumed_at = $3
        WHERE code_hash = $1 AND realm = $2 AND consumed_at IS NULL AND expires_at > $3 RETURNING *`,
      [codeHash, realm, now],
    );
    if (redeemed.rows[0]) return { outcome: 'redeemed', code: redeemed.rows[0] };
    const { rows } = await db.query<AuthorizationCodeRow>(
      'SELECT * FROM authorization_codes WHERE code_hash = $1 AND realm = $2 AND consumed_at IS NOT NULL',
      [codeHash, realm],
    );
    return rows[0] ? { outcome: 'replayed', code: rows[0] } : { outcome: 'unknown' };
  }

  async count(): Promise<number> {
    const { rows } = await this.db.query<{ n: string }>('SELECT count(*)::text AS n FROM authorization_codes');
    return Number(rows[0]!.n);
  }
}
