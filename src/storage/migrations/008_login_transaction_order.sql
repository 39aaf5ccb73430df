-- Pending logins in the order they were made, so the ceiling on them (limits.pendingLogins) drops the
-- oldest by one index lookup per new login, never a count over the table (issue 15).
ALTER TABLE login_transactions ADD COLUMN seq bigserial;
CREATE INDEX login_transactions_seq ON login_transactions (seq);
