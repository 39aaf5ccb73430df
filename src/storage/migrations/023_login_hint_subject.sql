-- OIDC Core §3.1.2.1 id_token_hint: the `sub` of the authorization request's verified hint. The login
-- completes only for that person; another who logs in at the IdP is answered `login_required` (a shared
-- ward workstation, where the next clinician logs in inside the last one's app). NULL: no hint.
ALTER TABLE login_transactions ADD COLUMN hint_subject text;
