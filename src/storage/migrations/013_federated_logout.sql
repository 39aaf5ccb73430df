-- Federation end to end (issue 12): SAML single logout both ways, OIDC back-channel logout.

-- The NameID the IdP named the person by at login, per SSO session (SAML Core §3.7.1: a LogoutRequest
-- names whom to log out by NameID and SessionIndex). Kept twice, never in clear: as a keyed digest
-- (HMAC-SHA256) to find the sessions an IdP's LogoutRequest names, and encrypted (AES-256-GCM, bound
-- to the SSO session id) for the LogoutRequest this SP sends. A citizen's NameID may carry a CPR/BSN.
CREATE TABLE sso_session_name_ids (
  sso_session_id  text PRIMARY KEY REFERENCES sso_sessions (id) ON DELETE CASCADE,
  realm           text NOT NULL,
  idp_alias       text NOT NULL,
  name_id_digest  text NOT NULL,
  name_id_enc     text NOT NULL
);

CREATE INDEX sso_session_name_ids_subject ON sso_session_name_ids (realm, idp_alias, name_id_digest);

-- A pending request is an AuthnRequest (answered by a Response at the ACS) or a LogoutRequest this SP
-- sent (answered by a LogoutResponse, after which the browser returns to `return_to`). Each kind is
-- taken only by its own answer.
ALTER TABLE saml_pending_requests ADD COLUMN kind text NOT NULL DEFAULT 'authn';
ALTER TABLE saml_pending_requests ADD COLUMN return_to text;

-- OIDC Back-Channel Logout 1.0 §2.5: each ended client session owes its client a logout token. This
-- table is the outbox: a row is written by the trigger below in the same transaction as the session's
-- end, whatever ended it (RP or IdP logout, refresh-token or code reuse, an administrator), so an
-- instance that dies before delivering loses nothing. Expiry is not an event: a session that merely
-- runs out never gets `ended_at`. Rows of clients without a backchannelLogoutUri are never claimed
-- and go with housekeeping at `expires_at`.
CREATE TABLE backchannel_logouts (
  session_id       text PRIMARY KEY,
  realm            text NOT NULL,
  client_id        text NOT NULL,
  subject          text NOT NULL,
  ended_at         timestamptz NOT NULL,
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL,
  leased_until     timestamptz,
  delivered_at     timestamptz,
  failed_at        timestamptz,
  expires_at       timestamptz NOT NULL
);

CREATE INDEX backchannel_logouts_due ON backchannel_logouts (next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL;

CREATE INDEX backchannel_logouts_expiry ON backchannel_logouts (expires_at);

-- (The body keeps its semicolons off line ends: the migrator splits statements there.)
CREATE FUNCTION queue_backchannel_logout() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO backchannel_logouts (session_id, realm, client_id, subject, ended_at, next_attempt_at, expires_at)
  VALUES (NEW.id, NEW.realm, NEW.client_id, NEW.user_id, NEW.ended_at, NEW.ended_at, NEW.ended_at + interval '1 day')
  ON CONFLICT (session_id) DO NOTHING; RETURN NULL; END
$$;

CREATE TRIGGER sessions_queue_backchannel_logout AFTER UPDATE OF ended_at ON sessions
  FOR EACH ROW WHEN (OLD.ended_at IS NULL AND NEW.ended_at IS NOT NULL)
  EXECUTE FUNCTION queue_backchannel_logout();
