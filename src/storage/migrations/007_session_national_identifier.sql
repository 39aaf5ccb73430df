-- The citizen's national identifier (CPR/BSN), only for realms where a client's tokens must carry
-- it (clients[].nationalIdentifier), and only encrypted (AES-256-GCM, bound to the session id).
ALTER TABLE sessions ADD COLUMN national_id_enc text;
