-- FHIR AuditEvents waiting for their realm's FHIR server (issue 13; realms[].audit.fhir): written in the
-- transaction of the event they report, delivered afterwards by every instance's delivery loop, with
-- retries and a growing pause, never dropped. A claim sets `leased_until` (and a token naming the
-- claim), so an instance that stopped mid-delivery only delays an entry until its lease runs out; the
-- claim takes rows FOR UPDATE SKIP LOCKED, so instances claiming at the same time take different rows.
CREATE TABLE fhir_audit_outbox (
  id              bigserial PRIMARY KEY,
  realm           text NOT NULL,
  resource        jsonb NOT NULL,
  created_at      timestamptz NOT NULL,
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  leased_until    timestamptz,
  lease_token     text,
  last_error      text
);

CREATE INDEX fhir_audit_outbox_due ON fhir_audit_outbox (next_attempt_at);
