import { Global, Module } from '@nestjs/common';
import { AuditEventRepository } from '../storage/audit-event.repository.js';
import { FhirAuditOutboxRepository } from '../storage/fhir-audit-outbox.repository.js';
import { SessionRepository } from '../storage/session.repository.js';
import { AuditTrail } from './audit-trail.service.js';
import { FhirAuditDelivery } from './fhir-audit-delivery.service.js';
import { SigningKeyChangeAudit } from './signing-key-change-audit.js';

/**
 * The audit trail every flow writes to (issue 13), the delivery of its FHIR AuditEvents, and the record
 * of the signing keys a start installs; global, like the database.
 */
@Global()
@Module({
  providers: [AuditEventRepository, FhirAuditOutboxRepository, SessionRepository, AuditTrail, FhirAuditDelivery, SigningKeyChangeAudit],
  exports: [AuditTrail, AuditEventRepository, FhirAuditOutboxRepository, FhirAuditDelivery],
})
export class AuditModule {}
