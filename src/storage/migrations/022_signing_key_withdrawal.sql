-- An operator withdraws a signing key that leaked (POST /admin/realms/{realm}/keys/{kid}/withdraw,
-- npm run keys:withdraw): from that instant it is in no JWKS and verifies nothing, and no instance
-- signs with it again. The row is kept, marked, so the audit trail's events still name a key that is
-- there to be read, and a key file holding it can be recognised and refused. NULL: not withdrawn.
ALTER TABLE signing_keys ADD COLUMN withdrawn_at timestamptz;
