import { isAuditEventType } from '../audit/audit-event-type.js';
import { operatorNamed } from './admin-action.js';
import { malformedAdminCall } from './malformed-admin-call.js';
import type { AuditDetails } from '../audit/audit-event-type.js';
import type { OAuthError } from '../protocol/oauth-error.js';
import type { AuditEventQuery } from '../storage/audit-event.repository.js';

/** Keycloak's default page size for `GET /admin/realms/{realm}/events`. */
export const DEFAULT_MAX = 100;
/** No page larger than this, whatever `max` asks: an audit log is large, and one request must stay cheap. */
export const MAX_MAX = 1000;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const MILLIS = /^\d{1,15}$/;
/** The last millisecond of 9999-12-31, as far as a `yyyy-MM-dd` day reaches: a later instant has no ISO form PostgreSQL reads. */
const LATEST_MILLIS = Date.UTC(10000, 0, 1) - 1;
const SHORT_TEXT = /^[\x21-\x7e]{1,200}$/;
/**
 * Every parameter the endpoint reads, with what it means (the OpenAPI document lists them so). Another
 * (`clientId=`, `types=`) would be ignored, and every event returned as if it matched.
 */
export const EVENT_QUERY_PARAMETERS: Readonly<Record<string, string>> = {
  type: 'event types, repeated or comma-separated (LOGIN, LOGOUT, ADMIN_ACTION …)',
  client: 'the client id',
  user: 'the user id (the tokens’ sub)',
  ipAddress: 'the client address, exactly as recorded',
  dateFrom: 'from this day (yyyy-MM-dd, UTC, the whole day) or instant (epoch ms)',
  dateTo: 'to this day (yyyy-MM-dd, UTC, the whole day) or instant (epoch ms)',
  direction: 'desc (newest first, the default) or asc',
  first: 'how many matching events to skip (default 0)',
  max: `how many to return (default ${DEFAULT_MAX}, at most ${MAX_MAX})`,
};
const PARAMETERS = new Set(Object.keys(EVENT_QUERY_PARAMETERS));

/**
 * The filters of Keycloak's events endpoint: `type` (repeated or comma-separated), `client`, `user`,
 * `ipAddress`, `dateFrom` and `dateTo` (`yyyy-MM-dd`, UTC, both days included — or epoch
 * milliseconds), `direction` (`asc` or `desc`, the default), `first` and `max` (at most
 * {@link MAX_MAX}). A value that is not one of these is `invalid_request`, and so is a parameter that
 * is none of these. `ipAddress` and `direction` are Keycloak's too: left unread, an auditor's
 * `ipAddress=` query (what did this address do?) was answered with every event of the realm, as if
 * they all matched, and `direction=asc` newest first; a misspelt filter would be answered so too.
 * Keycloak ignores a parameter it does not know; an auditor is better told than given the whole trail.
 */
export function parseEventQuery(realm: string, query: Record<string, unknown>): AuditEventQuery {
  if (Object.keys(query).some((name) => !PARAMETERS.has(name))) throw refused(`parameter: it takes only ${[...PARAMETERS].join(', ')}`);
  const types = list(query.type);
  const unknown = types.filter((type) => !isAuditEventType(type));
  if (unknown.length > 0) throw refused('type: no such event type');
  return {
    realm,
    types: types.length > 0 ? types : undefined,
    clientId: text(query.client, 'client'),
    userId: text(query.user, 'user'),
    ipAddress: text(query.ipAddress, 'ipAddress'),
    from: instant(query.dateFrom, 'dateFrom', 'start'),
    to: instant(query.dateTo, 'dateTo', 'end'),
    ...(direction(query.direction) === 'asc' ? { ascending: true } : {}),
    first: count(query.first, 'first', 0, Number.MAX_SAFE_INTEGER) ?? 0,
    max: Math.min(count(query.max, 'max', 1, Number.MAX_SAFE_INTEGER) ?? DEFAULT_MAX, MAX_MAX),
  };
}

/**
 * The filters of a read, for its ADMIN_ACTION: whose trail an auditor read, of what and when, is
 * itself access to be accounted for (issue 13). Only what the query names, never more than a user id,
 * and no CPR or BSN an operator typed as one (admin-action.ts).
 */
export function queryDetails(query: AuditEventQuery): AuditDetails {
  return {
    type: query.types,
    client: operatorNamed(query.clientId),
    user: operatorNamed(query.userId),
    ipAddress: operatorNamed(query.ipAddress),
    direction: query.ascending ? 'asc' : undefined,
    dateFrom: query.from?.toISOString(),
    dateTo: query.to?.toISOString(),
    first: query.first,
    max: query.max,
  };
}

function list(value: unknown): string[] {
  if (value === undefined) return [];
  const values = Array.isArray(value) ? value : [value];
  if (!values.every((v) => typeof v === 'string')) throw refused('type');
  return (values as string[]).flatMap((v) => v.split(',')).filter((v) => v !== '');
}

function text(value: unknown, name: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !SHORT_TEXT.test(value)) throw refused(name);
  return value;
}

function direction(value: unknown): 'asc' | 'desc' | undefined {
  if (value === undefined || value === '') return undefined;
  if (value !== 'asc' && value !== 'desc') throw refused('direction');
  return value;
}

/** A day is taken whole: `dateFrom` from its first millisecond, `dateTo` to its last (as Keycloak). */
function instant(value: unknown, name: string, edge: 'start' | 'end'): Date | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw refused(name);
  if (MILLIS.test(value)) {
    if (Number(value) > LATEST_MILLIS) throw refused(`${name}: epoch milliseconds after 9999-12-31`);
    return new Date(Number(value));
  }
  const day = DAY.exec(value);
  const start = day ? new Date(Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]))) : undefined;
  if (!start || start.toISOString().slice(0, 10) !== value) throw refused(name);
  return edge === 'start' ? start : new Date(start.getTime() + 86_400_000 - 1);
}

function count(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !/^\d{1,16}$/.test(value) || Number(value) < min || Number(value) > max) throw refused(name);
  return Number(value);
}

function refused(what: string): OAuthError {
  return malformedAdminCall(`events query: bad ${what}`);
}
