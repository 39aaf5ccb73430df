-- The context a session works in (Organization, CareTeam, Patient, EpisodeOfCare as absolute FHIR
-- URLs, with the roles held there), chosen at login or by a refresh; NULL until one is chosen.
ALTER TABLE sessions ADD COLUMN context jsonb;

-- A session opened by token exchange for another client (RFC 8693 with a refresh token): it lives
-- only while its parent does, and its tokens carry the delegation (`act`, audience).
ALTER TABLE sessions ADD COLUMN parent_id text REFERENCES sessions (id) ON DELETE CASCADE;
ALTER TABLE sessions ADD COLUMN delegation jsonb;

CREATE INDEX sessions_parent ON sessions (parent_id);
