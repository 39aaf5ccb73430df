-- The IdP LogoutRequests this SP accepted (signature verified, in time, not replayed), kept so that an
-- assertion arriving after one is refused when the request covers it (SAML Core §3.7.3.2: the session
-- participant MUST apply a LogoutRequest to an assertion that arrives after it: same subject, one of
-- the request's SessionIndexes or none named, the request not yet expired). Shared by every instance:
-- the LogoutRequest may reach one and the late assertion another.
--
-- The NameID is a keyed digest (as in sso_session_name_ids, migration 013): it may carry a CPR or BSN.
-- `session_indexes` is empty when the request named none (every session of the person). `issued_at`
-- is the request's IssueInstant: only an assertion the IdP issued before it is refused, so that the
-- person's next login (a new assertion) goes through. `expires_at` is the request's NotOnOrAfter,
-- bounded by how long an assertion issued before it could still be accepted here (a pending
-- AuthnRequest's life and the clock skew: saml/late-assertion-window.ts). Only verified IdP messages
-- make rows, and housekeeping purges them once expired (expired-rows.repository.ts).
CREATE TABLE saml_idp_logouts (
  realm            text NOT NULL,
  idp_alias        text NOT NULL,
  name_id_digest   text NOT NULL,
  request_id       text NOT NULL,
  session_indexes  text[] NOT NULL,
  issued_at        timestamptz NOT NULL,
  expires_at       timestamptz NOT NULL,
  -- Its prefix is the ACS's one lookup (realm, IdP, NameID); the request ID makes a row per request.
  PRIMARY KEY (realm, idp_alias, name_id_digest, request_id)
);

CREATE INDEX saml_idp_logouts_expiry ON saml_idp_logouts (expires_at);
