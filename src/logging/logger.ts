import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from '../config/config.schema.js';
import { errorSummary } from './error-summary.js';

export const REQUEST_ID_HEADER = 'x-request-id';
const SAFE_REQUEST_ID = /^[\w.:-]{1,64}$/;

/**
 * The one pino logger: Fastify derives a child per request from it (so every line of a request
 * carries its `reqId`), and Nest's own messages go through {@link PinoNestLogger}. Credentials are
 * redacted wherever they appear in a logged object; an error under `err` is reduced to its class,
 * code and frames (error-summary.ts), whoever logs it.
 */
export function createLogger(config: Pick<Config, 'logLevel'>, destination?: DestinationStream): Logger {
  return pino(
    {
      level: config.logLevel,
      serializers: { err: errorSummary },
      redact: {
        paths: [
          'authorization',
          '*.authorization',
          'client_secret',
          '*.client_secret',
          'client_assertion',
          '*.client_assertion',
          'secret',
          '*.secret',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

/** Keeps a caller's `X-Request-Id` when it is safe to log, else makes a new one. */
export function requestId(request: IncomingMessage): string {
  const incoming = request.headers[REQUEST_ID_HEADER];
  return typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}
