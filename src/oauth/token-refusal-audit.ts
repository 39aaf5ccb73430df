import { BoundedRefusalAudit } from '../audit/bounded-refusal-audit.js';

/**
 * Refused token requests in the audit trail, within `limits.tokenRefusalAudit`
 * ({@link BoundedRefusalAudit}): refused client authentications (RFC 6749 §5.2 `invalid_client`),
 * refused grants (a bad code or refresh token, `invalid_grant`), and Keycloak's non-browser logout
 * refused for the same reasons (logout.controller.ts, `LOGOUT_ERROR`). Anyone can send them: a public
 * client names itself with its `client_id` alone, so a made-up refresh token in its name needs no
 * secret. What a refusal changed has its own event: a reused refresh token's session end is a
 * LOGOUT, written with the end.
 */
export class TokenRefusalAudit extends BoundedRefusalAudit {}
