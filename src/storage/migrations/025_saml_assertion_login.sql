-- The login (its RelayState: the login transaction's id) an accepted assertion answered. The IdP's
-- form posted twice (a double click, a browser's retry) brings the same Response again while the
-- first post still completes the login: the second is refused as a replay, and must not end the login
-- the first is completing (login/acs.controller.ts). Null for a LogoutRequest's or LogoutResponse's
-- ID, which share this table, and for rows an instance of an earlier release wrote during a rolling
-- upgrade (their second post ends the login, as before).
ALTER TABLE saml_used_assertions ADD COLUMN relay_state text;
CREATE INDEX saml_used_assertions_login ON saml_used_assertions (realm, relay_state) WHERE relay_state IS NOT NULL;
