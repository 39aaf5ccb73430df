-- Pending SAML requests in the order they were sent, so the pendingLogins ceiling holds for them too
-- (saml-request.repository.ts `record`): each login sent to a SAML IdP leaves an AuthnRequest for
-- pendingRequestTtlSeconds (1800 s, three times the login's 600 s), so capping login_transactions
-- alone (migration 008) left these bounded only by the login rate. As there, each new request drops
-- the AuthnRequest the ceiling places behind it by one index lookup, never a count over the table.
ALTER TABLE saml_pending_requests ADD COLUMN seq bigserial;
CREATE INDEX saml_pending_requests_seq ON saml_pending_requests (seq);
