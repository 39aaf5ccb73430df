import { errors } from 'jose';

/**
 * True for what makes a presented token bad (signature, expiry, claims, unknown or retired key),
 * false for anything else — a database or network failure must surface as a server error, never
 * as "your token is dead", which would make clients throw away valid refresh tokens.
 */
export function isTokenError(error: unknown): boolean {
  return error instanceof errors.JOSEError;
}

/** For `.catch`: a bad token becomes `undefined`; any other failure keeps propagating. */
export function undefinedIfTokenError(error: unknown): undefined {
  if (isTokenError(error)) return undefined;
  throw error;
}
