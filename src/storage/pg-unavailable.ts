import pg from 'pg';
import { DatabaseUnavailableError } from './database.js';

/**
 * SQLSTATEs (PostgreSQL Appendix A) in which the database, not the statement, failed, and whether the
 * connection is still fit to roll back and reuse. Class 08 without 08P01 (protocol_violation): that is
 * a caller's fault, or a connection pooler refusing a startup parameter, neither of which waiting mends.
 */
const UNAVAILABLE_SQLSTATES: ReadonlyMap<string, boolean> = new Map([
  ['08000', false],
  ['08001', false],
  ['08003', false],
  ['08004', false],
  ['08006', false],
  ['08007', false],
  // The session was ended: idle_in_transaction_session_timeout, transaction_timeout (PostgreSQL 17).
  ['25P03', false],
  ['25P04', false],
  // A write reached a server that is a standby (now): a failover under way.
  ['25006', true],
  // An operator's lock_timeout ran out: the statement was cancelled.
  ['55P03', true],
]);

/** Classes 53 (insufficient resources: too many connections, disk full) and 57 (operator intervention: 57P01 shutdown, 57P03 starting up). */
const UNAVAILABLE_CLASSES = ['53', '57'];
/** 57014 query_canceled: statement_timeout ran out; the statement was cancelled and its connection is fine. */
const STATEMENT_CANCELLED = '57014';

/** Network failures, also where Node reports them without the failed system call (a TLS handshake reset). */
const NETWORK_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** `pg`'s own failures of a connection: plain Errors, known only by their fixed wording. */
const PG_CONNECTION_FAILURES: ReadonlyMap<string, string> = new Map([
  ['Query read timeout', 'QUERY_TIMEOUT'],
  ['timeout exceeded when trying to connect', 'CONNECT_TIMEOUT'],
  ['Connection terminated due to connection timeout', 'CONNECT_TIMEOUT'],
  ['Connection terminated unexpectedly', 'CONNECTION_LOST'],
  ['Connection terminated', 'CONNECTION_LOST'],
  ['Client has encountered a connection error and is not queryable', 'CONNECTION_LOST'],
  ['Cannot use a pool after calling end on the pool', 'POOL_ENDED'],
]);

/** The {@link DatabaseUnavailableError} a failure of `pg` amounts to, or undefined when the statement itself failed. */
export function unavailableCause(error: unknown): DatabaseUnavailableError | undefined {
  if (error instanceof DatabaseUnavailableError) return error;
  if (error instanceof pg.DatabaseError) {
    const code = error.code ?? '';
    if (code === STATEMENT_CANCELLED) return new DatabaseUnavailableError(code, true);
    const usable = UNAVAILABLE_SQLSTATES.get(code) ?? (UNAVAILABLE_CLASSES.includes(code.slice(0, 2)) ? false : undefined);
    return usable === undefined ? undefined : new DatabaseUnavailableError(code, usable);
  }
  if (!(error instanceof Error)) return undefined;
  // A system error of the socket carries its code, and mostly the failed call.
  const { code, syscall } = error as NodeJS.ErrnoException;
  if (code !== undefined && (syscall !== undefined || NETWORK_ERRORS.has(code))) return new DatabaseUnavailableError(code, false);
  const known = PG_CONNECTION_FAILURES.get(error.message);
  return known === undefined ? undefined : new DatabaseUnavailableError(known, false);
}

/**
 * PostgreSQL refusing the connection a URL asks for: no such database (3D000), or its role or password
 * refused (class 28). Waiting mends neither; the URL is the operator's to mend. Its message names the
 * database or role, never a password.
 */
export function connectionRefusal(error: unknown): { code: string; message: string } | undefined {
  const answer = databaseAnswer(error);
  return answer && (answer.code === '3D000' || answer.code.startsWith('28')) ? answer : undefined;
}

/** An error PostgreSQL answered (its SQLSTATE, empty where it sent none, and its message); undefined for any other. */
export function databaseAnswer(error: unknown): { code: string; message: string } | undefined {
  return error instanceof pg.DatabaseError ? { code: error.code ?? '', message: error.message } : undefined;
}
