import { jest } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SessionsModule } from '../../src/sessions/sessions.module.js';
import type { Queryable } from '../../src/storage/database.js';
import { SsoSessionRepository } from '../../src/storage/sso-session.repository.js';

/**
 * Runs `meanwhile` in the transaction that next ends an SSO session of `app`, just before its UPDATE:
 * what other requests committed between a read of its client sessions and their end (one connection
 * here). Returns the spy; restore it after the request.
 */
export function meanwhileInSsoEnd(app: NestFastifyApplication, meanwhile: (tx: Queryable, now: Date) => Promise<void>) {
  // The instance SsoSessionService ends SSO sessions with (AdminModule has one of its own).
  const repository = app.select(SessionsModule).get(SsoSessionRepository, { strict: true });
  const end = repository.end.bind(repository);
  return jest.spyOn(repository, 'end').mockImplementationOnce(async (id, reason, now, tx) => {
    await meanwhile(tx!, now);
    return end(id, reason, now, tx);
  });
}
