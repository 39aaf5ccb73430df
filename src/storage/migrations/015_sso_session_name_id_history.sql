-- Every NameID an IdP gave an SSO session stays matchable by single logout (SAML Core §3.7.3.2,
-- Profiles §4.4.4.2: the SP must end the sessions a LogoutRequest names). A renewed SSO session
-- (the same person logging in again in this browser: prompt=login, max_age) keeps the client
-- sessions opened under its earlier logins; with a transient NameID each login has another NameID,
-- and the IdP's LogoutRequest for an earlier login names that one. So one row per SSO session, IdP
-- and NameID instead of one per SSO session; `recorded` orders them, the latest login's last (the
-- NameID of the LogoutRequest this SP sends).
ALTER TABLE sso_session_name_ids DROP CONSTRAINT sso_session_name_ids_pkey;
ALTER TABLE sso_session_name_ids ADD COLUMN recorded bigserial;
ALTER TABLE sso_session_name_ids ADD PRIMARY KEY (sso_session_id, idp_alias, name_id_digest);
