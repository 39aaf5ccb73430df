-- Access tokens revoked before they expire (RFC 7009 §2.1); kept only until they would expire anyway.
CREATE TABLE revoked_access_tokens (
  jti        text PRIMARY KEY,
  realm      text NOT NULL,
  expires_at timestamptz NOT NULL
);

CREATE INDEX revoked_access_tokens_expiry ON revoked_access_tokens (expires_at);
