-- A pending login keeps one pending AuthnRequest per IdP: another for the same login transaction
-- (its RelayState, login-start.service.ts) and IdP replaces the earlier one
-- (saml-request.repository.ts `record`), so following the chooser's link again cannot pile up rows
-- that outlive the login (pendingRequestTtlSeconds 1800 s against the login's 600 s) outside the
-- pendingLogins ceiling. This index finds the earlier one. Not a unique index: instances still
-- running the previous release insert without replacing during a rolling upgrade, and two requests
-- racing for one login may both stand (each then answerable) rather than one refusing the other.
CREATE INDEX saml_pending_requests_login ON saml_pending_requests (realm, idp_alias, relay_state) WHERE kind = 'authn';
