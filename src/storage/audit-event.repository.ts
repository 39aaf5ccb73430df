import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, DatabaseUnavailableError, type Database, type NamedStatement, type Queryable } from './database.js';
import { groupCommitted } from './group-commit.js';

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

/** A page of a realm's events, newest first unless `ascending`; every filter is optional, `from`/`to` inclusive. */
export interface AuditEventQuery {
  realm: string;
  types?: string[];
  clientId?: string;
  userId?: string;
  /** The client address, exactly as recorded (Keycloak's `ipAddress`). */
  ipAddress?: string;
  from?: Date;
  to?: Date;
  /** Oldest first (Keycloak's `direction=asc`). */
  ascending?: boolean;
  first: number;
  max: number;
}

/** Columns of an inserted event, in the order of {@link eventParams}. */
const COLUMNS = 'occurred_at, realm, type, outcome, client_id, user_id, session_id, idp_alias, ip_address, tenant, error, details';
const PARAMS_PER_ROW = 12;

/**
 * Rows of `audit_events`. Inserts take the caller's transaction, so an event commits with what it records.
 *
 * An event recorded on its own (no transaction: a CLIENT_LOGIN, a refusal) is written by a group commit
 * (group-commit.ts, issue 14): the events recorded while one INSERT is under way go together in the next,
 * one statement and one commit for all of them, and each caller's promise settles only when its own row
 * is committed — still before its response leaves. One INSERT per grant cost two thirds of a
 * client_credentials grant's CPU on PGlite. A statement the database refuses is retried row by row, so a
 * row it cannot take fails only its own request.
 */
@Injectable()
export class AuditEventRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  insert(event: NewAuditEvent, db: Queryable = this.db): Promise<void> {
    return db === this.db ? this.groupCommitted(event) : this.insertRows([event], db);
  }

  private readonly groupCommitted = groupCommitted<NewAuditEvent, void>(async (events) => {
    try {
      await this.insertRows(events, this.db);
      return events.map(() => undefined);
    } catch (error) {
      // A row the database refuses fails the statement it is in: each is tried alone, so it fails only its own request.
      // A database that is unavailable refuses no row: trying each alone would only queue more work on it.
      if (events.length === 1 || error instanceof DatabaseUnavailableError) throw error;
      const alone = (event: NewAuditEvent) =>
        this.insertRows([event], this.db).then(
          () => undefined,
          (refusal: unknown) => (refusal instanceof Error ? refusal : new Error(String(refusal))),
        );
      return Promise.all(events.map(alone));
    }
  });

  private async insertRows(events: readonly NewAuditEvent[], db: Queryable): Promise<void> {
    await db.query(insertStatement(events.length), events.flatMap(eventParams));
  }

  /**
   * Ordered by time and then id. Oldest first, paging with `first` is stable while new events arrive;
   * newest first, each new event (a read's own ADMIN_ACTION among them) moves the pages after it by
   * one, unless the caller pins `dateTo` (README, admin API).
   */
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
    if (query.ipAddress !== undefined) add((n) => `ip_address = $${n}`, query.ipAddress);
    if (query.from !== undefined) add((n) => `occurred_at >= $${n}`, query.from);
    if (query.to !== undefined) add((n) => `occurred_at <= $${n}`, query.to);
    params.push(query.max, query.first);
    // Either way along the realm's (realm, occurred_at DESC, id DESC) index.
    const order = query.ascending ? 'occurred_at ASC, id ASC' : 'occurred_at DESC, id DESC';
    const { rows } = await this.db.query<AuditEventRow>(
      `SELECT * FROM audit_events WHERE ${where.join(' AND ')}
        ORDER BY ${order} LIMIT $${params.length - 1} OFFSET $${params.length}`,
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

function eventParams(event: NewAuditEvent): unknown[] {
  return [
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
  ];
}

/**
 * Statements of up to this many rows are named, so PostgreSQL parses and plans each size once per
 * connection: a group commit's INSERT of 12–16 rows spent a quarter of PostgreSQL's CPU in parsing
 * and planning it anew (measured: 38–45 → 26–33 µs of the backend's CPU a row). Larger ones, which
 * only a flood makes, stay unnamed rather than leave a plan per size in every connection.
 */
const MAX_NAMED_ROWS = 64;

/** `INSERT … VALUES ($1, …, $12), ($13, …)` for `count` events, made once per count. */
const statements: (string | NamedStatement)[] = [];
function insertStatement(count: number): string | NamedStatement {
  return (statements[count] ??= named(
    count,
    `INSERT INTO audit_events (${COLUMNS}) VALUES ${Array.from(
      { length: count },
      (_, row) => `(${Array.from({ length: PARAMS_PER_ROW }, (_, column) => `$${row * PARAMS_PER_ROW + column + 1}`).join(', ')})`,
    ).join(', ')}`,
  ));
}

function named(count: number, text: string): string | NamedStatement {
  return count <= MAX_NAMED_ROWS ? { name: `audit-events.insert-${count}`, text } : text;
}
