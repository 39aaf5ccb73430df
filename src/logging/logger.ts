import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from '../config/config.schema.js';
import { boundLongString } from './bounded-strings.js';
import { REDACTED, redactCredential, TOP_LEVEL_CREDENTIAL_PATHS } from './credential-redaction.js';
import { errorSummary } from './error-summary.js';
import { mapLoggedFields } from './logged-fields.js';
import { maskNationalIdentifiersInLine } from './national-identifiers.js';

export const REQUEST_ID_HEADER = 'x-request-id';
const SAFE_REQUEST_ID = /^[\w.:-]{1,64}$/;

/**
 * The one pino logger: Fastify derives a child per request from it (so every line of a request
 * carries its `reqId`), and Nest's own messages go through {@link PinoNestLogger}. Credentials are
 * redacted at the top of a logged object and one level down (credential-redaction.ts), and long
 * strings there are cut (bounded-strings.ts), in one walk (logged-fields.ts); an error under `err` is reduced to its class, code and
 * frames (error-summary.ts), whoever logs it; a national identifier is masked anywhere in the finished
 * line (national-identifiers.ts).
 */
export function createLogger(config: Pick<Config, 'logLevel'>, destination?: DestinationStream): Logger {
  return pino(
    {
      level: config.logLevel,
      serializers: { err: errorSummary },
      // One walk over the line's fields: a credential is redacted, a long string cut.
      formatters: { log: (object) => mapLoggedFields(object, (key, value) => boundLongString(key, redactCredential(key, value))) },
      // Top-level names only: a `*.name` path would cost on every line (credential-redaction.ts).
      redact: { paths: [...TOP_LEVEL_CREDENTIAL_PATHS], censor: REDACTED },
      hooks: { streamWrite: maskNationalIdentifiersInLine },
    },
    destination,
  );
}

/** Keeps a caller's `X-Request-Id` when it is safe to log, else makes a new one. */
export function requestId(request: IncomingMessage): string {
  const incoming = request.headers[REQUEST_ID_HEADER];
  return typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}
