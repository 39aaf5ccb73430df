import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type Database, type Queryable } from './database.js';

/** Internal users; their id is the stable `sub` of every token (never a national identifier). */
@Injectable()
export class UserRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  /** The user for this IdP identity, created on first login; one statement, so concurrent first logins agree. */
  async upsert(realm: string, idpAlias: string, externalId: string, now: Date, db: Queryable = this.db): Promise<string> {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO users (id, realm, idp_alias, external_id, created_at, last_login_at) VALUES ($1, $2, $3, $4, $5, $5)
       ON CONFLICT (realm, idp_alias, external_id) DO UPDATE SET last_login_at = EXCLUDED.last_login_at
       RETURNING id`,
      [randomUUID(), realm, idpAlias, externalId, now],
    );
    return rows[0]!.id;
  }
}
