-- A pending login has at most one pending AuthnRequest per IdP: another for the same login
-- transaction (its RelayState, login-start.service.ts) and IdP replaces the earlier one
-- (saml-request.repository.ts `record`), so reopening the chooser's link cannot pile up rows that
-- outlive the login (pendingRequestTtlSeconds 1800 s against the login's 600 s) outside the
-- pendingLogins ceiling. The latest request is the one its browser is at the IdP with; the back
-- button sends a new one. LogoutRequests (kind 'logout') have a random RelayState each and are not
-- concerned. Duplicates from before are reduced to the latest first, so that the index can be built.
DELETE FROM saml_pending_requests AS earlier
 WHERE earlier.kind = 'authn'
   AND EXISTS (
     SELECT 1 FROM saml_pending_requests AS later
      WHERE later.kind = 'authn'
        AND later.realm = earlier.realm
        AND later.idp_alias = earlier.idp_alias
        AND later.relay_state = earlier.relay_state
        AND (later.created_at, later.request_id) > (earlier.created_at, earlier.request_id)
   );

CREATE UNIQUE INDEX saml_pending_requests_one_authn_per_login
  ON saml_pending_requests (realm, idp_alias, relay_state) WHERE kind = 'authn';
