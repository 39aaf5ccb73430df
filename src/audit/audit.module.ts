import { Global, Module } from '@nestjs/common';
import { AuditEventRepository } from '../storage/audit-event.repository.js';
import { SessionRepository } from '../storage/session.repository.js';
import { AuditTrail } from './audit-trail.service.js';

/** The audit trail every flow writes to (issue 13); global, like the database it writes into. */
@Global()
@Module({
  providers: [AuditEventRepository, SessionRepository, AuditTrail],
  exports: [AuditTrail, AuditEventRepository],
})
export class AuditModule {}
