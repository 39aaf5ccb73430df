-- Internal users: one per (realm, IdP, identity at that IdP). `id` is the stable `sub` of tokens;
-- no national identifier is stored here (external_id is the IdP's persistent pseudonym or user id).
CREATE TABLE users (
  id            text PRIMARY KEY,
  realm         text NOT NULL,
  idp_alias     text NOT NULL,
  external_id   text NOT NULL,
  created_at    timestamptz NOT NULL,
  last_login_at timestamptz NOT NULL,
  UNIQUE (realm, idp_alias, external_id)
);

-- A pending browser login between the authorization request and the code (OIDC Core §3.1.2).
-- Shared by every instance; short-lived; completed at most once.
CREATE TABLE login_transactions (
  id                    text PRIMARY KEY,
  realm                 text NOT NULL,
  client_id             text NOT NULL,
  redirect_uri          text NOT NULL,
  state                 text,
  nonce                 text,
  scope                 text NOT NULL,
  code_challenge        text,
  idp_alias             text,
  created_at            timestamptz NOT NULL,
  expires_at            timestamptz NOT NULL,
  completed_at          timestamptz
);

CREATE INDEX login_transactions_expiry ON login_transactions (expires_at);

-- A login session: lives exactly as long as its refresh-token chain. `refresh_jti` is the one
-- refresh token of the chain that may be used next; rotating it is one conditional UPDATE.
CREATE TABLE sessions (
  id                  text PRIMARY KEY,
  realm               text NOT NULL,
  user_id             text NOT NULL REFERENCES users (id),
  client_id           text NOT NULL,
  idp_alias           text NOT NULL,
  idp_session_index   text,
  user_type           text NOT NULL,
  profile             jsonb NOT NULL,
  auth_time           timestamptz NOT NULL,
  acr                 text,
  link                jsonb NOT NULL,
  scope               text NOT NULL,
  tenant              text,
  refresh_jti         text,
  created_at          timestamptz NOT NULL,
  idle_expires_at     timestamptz NOT NULL,
  max_expires_at      timestamptz NOT NULL,
  ended_at            timestamptz,
  end_reason          text
);

CREATE INDEX sessions_expiry ON sessions (max_expires_at);
CREATE INDEX sessions_user ON sessions (user_id);

-- Authorization codes (RFC 6749 §4.1.2): stored as a SHA-256 digest, single use, bound to what the
-- authorization request carried and to the session it opens.
CREATE TABLE authorization_codes (
  code_hash       text PRIMARY KEY,
  realm           text NOT NULL,
  client_id       text NOT NULL,
  redirect_uri    text NOT NULL,
  code_challenge  text,
  nonce           text,
  scope           text NOT NULL,
  session_id      text NOT NULL REFERENCES sessions (id),
  expires_at      timestamptz NOT NULL,
  consumed_at     timestamptz
);

CREATE INDEX authorization_codes_expiry ON authorization_codes (expires_at);
