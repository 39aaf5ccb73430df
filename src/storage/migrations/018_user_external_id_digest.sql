-- A user's external id is a keyed digest of the IdP's identifier for the person, never the identifier
-- itself: for a citizen that may be a CPR or BSN (DigiD's NameID is `s00000000:` and the BSN). SQL
-- cannot compute the digest (its key is the service's, derived from keys.encryptionKey), so the rows
-- of earlier releases are replaced by the service: at the person's next login, and by the sweep at
-- boot (login/legacy-external-id-sweep.ts).
COMMENT ON COLUMN users.external_id IS 'hmac:v1: and a keyed digest of the IdP''s identifier for the person; never the identifier';

-- The rows still in the clear, which the sweep asks for at every boot (UserRepository.legacyRows):
-- an index of them alone, empty once they are replaced, so the question costs nothing on a table of
-- millions of users.
CREATE INDEX users_legacy_external_id ON users (id)
  WHERE external_id NOT LIKE 'hmac:v1:%' AND external_id NOT LIKE 'superseded:%';
