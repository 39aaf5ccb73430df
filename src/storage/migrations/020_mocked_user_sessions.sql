-- A mocked user's login (outside production only) opens sessions whose idp_alias is `mock`, an alias
-- reserved for mocked users in every environment (realm-config.schema.ts). A database a development or
-- test instance filled may be started in production, where those sessions must not be usable: every
-- production start ends those still live (login/mocked-sessions-sweep.ts). Its question is answered by
-- an index of those rows alone, as migration 018's, so it costs nothing on tables of millions of
-- sessions. Client sessions opened in an SSO session end with it (migration 012): only those outside
-- one, of releases before it, are asked for on their own. A rotation changes no column these name,
-- so it costs what it did.
CREATE INDEX sso_sessions_mocked ON sso_sessions (id) WHERE idp_alias = 'mock';
CREATE INDEX sessions_mocked_outside_sso ON sessions (id) WHERE idp_alias = 'mock' AND sso_session_id IS NULL;
