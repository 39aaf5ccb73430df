import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiOAuthErrors, ApiRealmParam } from '../protocol/openapi.js';

/**
 * What every admin API controller's operations have in common in the OpenAPI document: Keycloak's
 * `{realm}` in the path, a bearer access token of that realm (AdminAuthGuard), and its refusals: 400
 * for a malformed call, 401 for no live token of the realm, 403 without the role (RFC 6750 §3.1).
 */
export function ApiAdminController() {
  return applyDecorators(ApiTags('Admin API'), ApiRealmParam(), ApiBearerAuth('bearer'), ApiOAuthErrors(400, 401, 403));
}
