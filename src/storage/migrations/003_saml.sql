-- SAML service provider (saml/). Both tables are shared by every instance, so a login may start on
-- one instance and finish on another, and a replay is caught whichever instance it reaches.

-- AuthnRequests awaiting their Response (SAML Profiles §4.1.4.3: InResponseTo must name a request
-- this SP sent). Bound to the realm, the IdP alias and the RelayState sent with the request; the row
-- is deleted by the one Response that completes it, so a request is answered at most once.
CREATE TABLE saml_pending_requests (
  request_id  text PRIMARY KEY,
  realm       text NOT NULL,
  idp_alias   text NOT NULL,
  relay_state text NOT NULL,
  created_at  timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL
);

CREATE INDEX saml_pending_requests_expiry ON saml_pending_requests (expires_at);

-- Assertion IDs already accepted (SAML Profiles §4.1.4.5: a bearer assertion is used once), kept
-- until the assertion could no longer be accepted anyway (its NotOnOrAfter plus the clock skew).
CREATE TABLE saml_used_assertions (
  issuer       text NOT NULL,
  assertion_id text NOT NULL,
  realm        text NOT NULL,
  expires_at   timestamptz NOT NULL,
  PRIMARY KEY (issuer, assertion_id)
);

CREATE INDEX saml_used_assertions_expiry ON saml_used_assertions (expires_at);
