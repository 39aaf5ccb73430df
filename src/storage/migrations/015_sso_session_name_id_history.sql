-- Every NameID an IdP gave an SSO session stays matchable by single logout (SAML Core §3.7.3.2,
-- Profiles §4.4.4.2: the SP must end the sessions a LogoutRequest names). A renewed SSO session (the
-- same person logging in again in this browser: prompt=login, max_age) keeps the client sessions
-- opened under its earlier logins; with a transient NameID each login has another NameID, and the
-- IdP's LogoutRequest for an earlier login names that one. `sso_session_name_ids` keeps the latest
-- login's NameID as before (the one this SP's own LogoutRequest names); the NameIDs it replaced move
-- here, as digests only. A table of its own rather than a wider key on the old one: instances still
-- running the previous release keep writing `sso_session_name_ids` with ON CONFLICT (sso_session_id)
-- during a rolling upgrade, which a changed primary key would refuse.
CREATE TABLE sso_session_earlier_name_ids (
  sso_session_id  text NOT NULL REFERENCES sso_sessions (id) ON DELETE CASCADE,
  realm           text NOT NULL,
  idp_alias       text NOT NULL,
  name_id_digest  text NOT NULL,
  PRIMARY KEY (sso_session_id, idp_alias, name_id_digest)
);

CREATE INDEX sso_session_earlier_name_ids_subject ON sso_session_earlier_name_ids (realm, idp_alias, name_id_digest);
