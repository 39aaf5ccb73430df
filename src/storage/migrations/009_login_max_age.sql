-- OIDC Core §3.1.2.1 max_age of the authorization request, in seconds (NULL: none asked): the IdP is
-- asked to re-authenticate, and an authentication older than this is refused at completion.
ALTER TABLE login_transactions ADD COLUMN max_age integer;
