import { Inject, Injectable } from '@nestjs/common';
import type { Config } from '../config/config.schema.js';
import { CONFIG } from '../config/config.token.js';
import type { ResponseMode } from '../protocol/authorization-response.js';
import { DATABASE, type Database, type Queryable } from './database.js';

export interface LoginTransaction {
  id: string;
  realm: string;
  client_id: string;
  redirect_uri: string;
  /** How the answer goes back; null in rows from before migration 010, meaning `query`. */
  response_mode: ResponseMode | null;
  state: string | null;
  nonce: string | null;
  scope: string;
  code_challenge: string | null;
  idp_alias: string | null;
  /** SHA-256 (base64url) of the value in the starting browser's cookie. */
  browser_binding: string | null;
  /** OIDC `max_age` in seconds, when the authorization request set one. */
  max_age: number | null;
  /** The `sub` of the request's verified `id_token_hint`: the one person this login may complete for. */
  hint_subject: string | null;
  created_at: Date;
  expires_at: Date;
  completed_at: Date | null;
}

/** Pending browser logins, shared by every instance through the database. */
@Injectable()
export class LoginTransactionRepository {
  private readonly ceiling: number;

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(CONFIG) config: Config,
  ) {
    this.ceiling = config.limits.pendingLogins;
  }

  /**
   * Stores a pending login and keeps at most `limits.pendingLogins` of them: anyone can start a login,
   * so the newest push out the oldest (issue 15). Each insert takes the next `seq` and, in the same
   * statement, deletes the row `ceiling` places behind it, so rows within the last `ceiling` inserts
   * remain, whichever instance made them. A row that misses its turn still expires with its login.
   */
  async create(tx: Omit<LoginTransaction, 'completed_at'>): Promise<void> {
    await this.db.query(
      `WITH inserted AS (
         INSERT INTO login_transactions (id, realm, client_id, redirect_uri, state, nonce, scope, code_challenge, idp_alias, browser_binding, created_at, expires_at, max_age, response_mode, hint_subject)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $14, $15, $16)
         RETURNING seq)
       DELETE FROM login_transactions WHERE seq = (SELECT seq - $13 FROM inserted)`,
      [
        tx.id,
        tx.realm,
        tx.client_id,
        tx.redirect_uri,
        tx.state,
        tx.nonce,
        tx.scope,
        tx.code_challenge,
        tx.idp_alias,
        tx.browser_binding,
        tx.created_at,
        tx.expires_at,
        this.ceiling,
        tx.max_age,
        tx.response_mode,
        tx.hint_subject,
      ],
    );
  }

  /** A transaction of this realm that is still pending. */
  async findPending(realm: string, id: string, now: Date): Promise<LoginTransaction | undefined> {
    const { rows } = await this.db.query<LoginTransaction>(
      'SELECT * FROM login_transactions WHERE id = $1 AND realm = $2 AND completed_at IS NULL AND expires_at > $3',
      [id, realm, now],
    );
    return rows[0];
  }

  async chooseIdp(id: string, idpAlias: string): Promise<void> {
    await this.db.query('UPDATE login_transactions SET idp_alias = $2 WHERE id = $1 AND completed_at IS NULL', [id, idpAlias]);
  }

  /** Marks it completed; only one caller ever gets the row back (a second ACS post gets nothing). */
  async complete(realm: string, id: string, now: Date, db: Queryable = this.db): Promise<LoginTransaction | undefined> {
    const { rows } = await db.query<LoginTransaction>(
      `UPDATE login_transactions SET completed_at = $3
        WHERE id = $1 AND realm = $2 AND completed_at IS NULL AND expires_at > $3 RETURNING *`,
      [id, realm, now],
    );
    return rows[0];
  }
}
