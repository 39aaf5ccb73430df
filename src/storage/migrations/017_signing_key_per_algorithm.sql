-- A realm signs with one active key per algorithm it uses: its own (signingAlg), and the one a client
-- asks for its ID tokens (idTokenSignedResponseAlg), such as RS256 beside ES256. Rotation retires the
-- old key of the same algorithm in the same transaction.
DROP INDEX signing_keys_one_active;
CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys (realm, alg) WHERE retired_at IS NULL;
