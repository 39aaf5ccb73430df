import type { LoggerService } from '@nestjs/common';
import type { Logger } from 'pino';
import { ConfigError } from '../config/config.error.js';
import { currentRequestId } from './request-context.js';

/**
 * Nest's framework messages (module start-up, route mapping) and the Nest Logger lines of controllers
 * and services through the same pino logger. Nest passes the context name last; an object first
 * argument becomes structured fields; a line written while a request is handled carries its `reqId`.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    // Nest reports a provider that failed to start; a config problem is the entry point's to print, in full and once (main.ts).
    if (message instanceof ConfigError) return;
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal', message: unknown, rest: unknown[]): void {
    const context = typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const fields: Record<string, unknown> = context ? { context } : {};
    const reqId = currentRequestId();
    if (reqId !== undefined) fields.reqId = reqId;
    if (message !== null && typeof message === 'object' && !(message instanceof Error)) {
      const msg = rest.find((r) => typeof r === 'string');
      this.logger[level]({ ...fields, ...message }, msg as string | undefined);
    } else if (message instanceof Error) {
      // A fixed text: the message may quote SQL parameters or input (error-summary.ts).
      this.logger[level]({ ...fields, err: message }, 'error');
    } else {
      this.logger[level](fields, String(message));
    }
  }
}
