-- The audit trail (issue 13): who logged in, from where, through which IdP; who refreshed, exchanged
-- or ended a session; what administrators did. One row per event, written in the transaction of the
-- change it records. Never a national identifier, a name, a secret or a token: `user_id` is the
-- internal `sub`, `details` a small JSON object of codes and references. Kept `audit.retentionDays`.
CREATE TABLE audit_events (
  id          bigserial PRIMARY KEY,
  occurred_at timestamptz NOT NULL,
  realm       text NOT NULL,
  type        text NOT NULL,
  outcome     text NOT NULL,
  client_id   text,
  user_id     text,
  session_id  text,
  idp_alias   text,
  ip_address  text,
  tenant      text,
  error       text,
  details     jsonb NOT NULL
);

-- The events API lists a realm's events newest first; its user filter and the sessions view look up by user.
CREATE INDEX audit_events_realm_time ON audit_events (realm, occurred_at DESC, id DESC);
CREATE INDEX audit_events_user ON audit_events (realm, user_id, occurred_at DESC);

-- Housekeeping deletes by age across realms.
CREATE INDEX audit_events_time ON audit_events (occurred_at);
