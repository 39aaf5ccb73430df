-- A browser's single sign-on session in a realm (Keycloak's user session, OIDC Session Management
-- §1): opened by a login at the IdP, named by the browser's HttpOnly identity cookie, of which only
-- the SHA-256 digest is kept here. It holds what the IdP step established (who, how, the FHIR link),
-- so a later authorization request from that browser, for any client of the realm, opens a client
-- session without the IdP step. Its idle and absolute ends bound every client session under it.
CREATE TABLE sso_sessions (
  id                  text PRIMARY KEY,
  realm               text NOT NULL,
  user_id             text NOT NULL REFERENCES users (id),
  secret_hash         text NOT NULL UNIQUE,
  idp_alias           text NOT NULL,
  idp_session_index   text,
  user_type           text NOT NULL,
  profile             jsonb NOT NULL,
  auth_time           timestamptz NOT NULL,
  acr                 text,
  link                jsonb NOT NULL,
  -- The citizen's CPR/BSN, encrypted and bound to this row's id, only where a client's tokens need it.
  national_id_enc     text,
  created_at          timestamptz NOT NULL,
  idle_expires_at     timestamptz NOT NULL,
  max_expires_at      timestamptz NOT NULL,
  ended_at            timestamptz,
  end_reason          text
);

CREATE INDEX sso_sessions_expiry ON sso_sessions (max_expires_at);

-- A client session (one authorization of one client, with its own refresh-token chain) belongs to
-- the SSO session it was opened in, and lives only while that does. NULL: opened before SSO existed.
ALTER TABLE sessions ADD COLUMN sso_session_id text REFERENCES sso_sessions (id);

CREATE INDEX sessions_sso ON sessions (sso_session_id);
