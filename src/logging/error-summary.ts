/** What of an error a log line may hold: never its message, detail or other fields. */
export interface ErrorSummary {
  type: string;
  /** A SQLSTATE (`23514`) or a system error code (`ECONNREFUSED`): a fixed vocabulary, no data. */
  code?: string;
  /** Stack frames only (`at fn (file:line)`): the first lines of a stack repeat the message. */
  frames?: string[];
}

const SAFE_NAME = /^[A-Za-z][\w$]{0,63}$/;
const SAFE_CODE = /^[A-Z0-9_]{2,40}$/;
const MAX_FRAMES = 12;

/**
 * The one way an error reaches a log (the `err` serializer of the logger). An error's message and
 * fields are left out on purpose: a database error carries the statement, its parameters and the
 * failing row (a citizen's name, a Patient reference, a session id), and other errors may quote the
 * input that caused them (DESIGN.md §3: no national identifier or name in a log line). What is left
 * — class, code, frames — says where it failed; the request id on the same line says which request.
 */
export function errorSummary(error: unknown): ErrorSummary {
  if (!(error instanceof Error)) return { type: typeof error };
  const code = (error as { code?: unknown }).code;
  const safeCode = typeof code === 'string' && SAFE_CODE.test(code) ? code : undefined;
  // PostgreSQL errors (pg, and PGlite's minified class) carry a severity and a SQLSTATE.
  const isDatabaseError = safeCode !== undefined && typeof (error as { severity?: unknown }).severity === 'string';
  const name = isDatabaseError ? 'DatabaseError' : error.constructor?.name;
  // A stack starts with `Name: message` (which may span lines); only what follows it is frames.
  const header = Error.prototype.toString.call(error);
  const stack = typeof error.stack === 'string' && error.stack.startsWith(header) ? error.stack.slice(header.length) : '';
  const frames = stack
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('at '))
    .slice(0, MAX_FRAMES);
  return {
    type: name && SAFE_NAME.test(name) ? name : 'Error',
    ...(safeCode ? { code: safeCode } : {}),
    ...(frames.length > 0 ? { frames } : {}),
  };
}
