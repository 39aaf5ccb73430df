import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type Database, type Queryable } from './database.js';

/** A stored audit event; `details` holds only codes and references (never a national identifier, name or token). */
export interface AuditEventRow {
  /** bigserial, as a string (int8 on both engines). */
  id: string;
  occurred_at: Date;
  realm: string;
  type: string;
  outcome: 'success' | 'failure';
  client_id: string | null;
  user_id: string | null;
  session_id: string | null;
  idp_alias: string | null;
  ip_address: string | null;
  tenant: string | null;
  error: string | null;
  details: Record<string, unknown>;
}

export type NewAuditEvent = Omit<AuditEventRow, 'id'>;

/** A page of a realm's events, newest first; every filter is optional, `from`/`to` inclusive. */
export interface AuditEventQuery {
  realm: string;
  types?: string[];
  clientId?: string;
  userId?: string;
  from?: Date;
  to?: Date;
  first: number;
  max: number;
}

/** Rows of `audit_events`. Inserts take the caller's transaction, so an event commits with what it records. */
@Injectable()
export class AuditEventRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async insert(event: NewAuditEvent, db: Queryable = this.db): Promise<void> {
    await db.query(
      `INSERT INTO audit_events (occurred_at, realm, type, outcome, client_id, user_id, session_id, idp_alias, ip_address, tenant, error, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        event.occurred_at,
        event.realm,
        event.type,
        event.outcome,
        event.client_id,
        event.user_id,
        event.session_id,
        event.idp_alias,
        event.ip_address,
        event.tenant,
        event.error,
        JSON.stringify(event.details),
      ],
    );
  }

  /** Ordered by time and then id, so paging with `first` is stable while new events arrive. */
  async list(query: AuditEventQuery): Promise<AuditEventRow[]> {
    const params: unknown[] = [query.realm];
    const where = ['realm = $1'];
    const add = (condition: (n: number) => string, value: unknown) => {
      params.push(value);
      where.push(condition(params.length));
    };
    if (query.types?.length) add((n) => `type = ANY($${n}::text[])`, query.types);
    if (query.clientId !== undefined) add((n) => `client_id = $${n}`, query.clientId);
    if (query.userId !== undefined) add((n) => `user_id = $${n}`, query.userId);
    if (query.from !== undefined) add((n) => `occurred_at >= $${n}`, query.from);
    if (query.to !== undefined) add((n) => `occurred_at <= $${n}`, query.to);
    params.push(query.max, query.first);
    const { rows } = await this.db.query<AuditEventRow>(
      `SELECT * FROM audit_events WHERE ${where.join(' AND ')}
        ORDER BY occurred_at DESC, id DESC LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    return rows;
  }

  /** The LOGIN events that opened these sessions of a user (where they came from, for the sessions view). */
  async loginsOf(realm: string, userId: string, sessionIds: string[]): Promise<AuditEventRow[]> {
    if (sessionIds.length === 0) return [];
    const { rows } = await this.db.query<AuditEventRow>(
      `SELECT * FROM audit_events WHERE realm = $1 AND user_id = $2 AND type = 'LOGIN' AND session_id = ANY($3::text[])`,
      [realm, userId, sessionIds],
    );
    return rows;
  }
}
