import { z } from 'zod';

/**
 * The audit trail's config (issue 13): how long audit events are kept, and how the per-realm FHIR
 * AuditEvents leave the queue. Kept beside config.schema.ts, which places them under `audit`.
 */
export const auditSchema = z
  .strictObject({
    /**
     * Days an audit event is kept before housekeeping deletes it. 400 by default: a year of access log
     * plus a month to answer a request about it (the Danish Sundhedsloven §42a asks for a log a citizen
     * can see; the retention itself is the operator's decision).
     */
    retentionDays: z.number().int().min(1).max(36_500).default(400),
    /** Delivery of FHIR AuditEvents from the database queue to each realm's FHIR server. */
    fhirDelivery: z
      .strictObject({
        /** How often each instance looks for AuditEvents due for delivery. */
        intervalMs: z.number().int().min(100).max(3_600_000).default(5000),
        /** AuditEvents one instance takes from the queue at a time; a round takes again while it delivered a full batch. */
        batchSize: z.number().int().min(1).max(500).default(20),
        /** The wait after a failed delivery doubles from 5 s up to this, and never gives up. */
        maxBackoffSeconds: z.number().int().min(5).max(86_400).default(3600),
      })
      .prefault({}),
  })
  .prefault({});

/** A realm's audit options: `audit: { fhir: true }` sends FHIR AuditEvents for logins, logouts and token exchanges. */
export const realmAuditSchema = z.strictObject({ fhir: z.boolean().default(false) }).prefault({});
