-- Realm signing keys (keys/). Private keys are stored encrypted (AES-256-GCM), never in clear.
CREATE TABLE signing_keys (
  kid             text PRIMARY KEY,
  realm           text NOT NULL,
  alg             text NOT NULL,
  public_jwk      jsonb NOT NULL,
  private_jwk_enc text NOT NULL,
  source          text NOT NULL,
  created_at      timestamptz NOT NULL,
  retired_at      timestamptz,
  publish_until   timestamptz
);

-- At most one active (not retired) key per realm; rotation retires the old one in the same transaction.
CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys (realm) WHERE retired_at IS NULL;

-- RFC 7523 §3: a client assertion's jti is accepted once; kept until the assertion would expire.
CREATE TABLE client_assertion_jtis (
  realm      text NOT NULL,
  client_id  text NOT NULL,
  jti        text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (realm, client_id, jti)
);

CREATE INDEX client_assertion_jtis_expiry ON client_assertion_jtis (expires_at);
