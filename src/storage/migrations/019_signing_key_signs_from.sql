-- A rotation publishes the new key before it signs: verifiers hold a realm's JWKS for its max-age, and
-- one that fetched it just before the rotation must not meet a token signed by a key it has not seen.
-- signs_from is when the key starts signing (and the key it replaces is retired at that instant);
-- NULL: from its created_at, as every key did before.
ALTER TABLE signing_keys ADD COLUMN signs_from timestamptz;
