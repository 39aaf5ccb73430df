import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiParam, ApiResponse, type SchemaObject } from '@nestjs/swagger';

/**
 * OpenAPI helpers for the endpoints that speak OAuth: their bodies are forms (RFC 6749 §4.1.3,
 * `application/x-www-form-urlencoded`), their errors RFC 6749 §5.2 bodies. The document itself is
 * built from the controllers by @nestjs/swagger (src/openapi.ts).
 */
export const OAUTH_ERROR_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['error'],
  properties: {
    error: { type: 'string', example: 'invalid_request' },
    error_description: { type: 'string' },
    state: { type: 'string' },
  },
};

/** A form body with these fields (each a string unless its schema says otherwise). */
export function ApiForm(fields: Record<string, SchemaObject | string>, required: string[] = []) {
  const properties = Object.fromEntries(
    Object.entries(fields).map(([name, field]) => [name, typeof field === 'string' ? { type: 'string', description: field } : field]),
  );
  return applyDecorators(
    ApiConsumes('application/x-www-form-urlencoded'),
    ApiBody({ schema: { type: 'object', properties, ...(required.length > 0 ? { required } : {}) } }),
  );
}

/** The RFC 6749 §5.2 error answers of an endpoint. */
export function ApiOAuthErrors(...statuses: number[]) {
  return applyDecorators(
    ...statuses.map((status) => ApiResponse({ status, description: 'OAuth error (RFC 6749 §5.2)', schema: OAUTH_ERROR_SCHEMA })),
  );
}

/**
 * The `{realm}` of a controller's paths, for a handler that reads it from the request (a guard's, or
 * `request.params`) rather than by `@Param`, which would declare it: OpenAPI 3 requires every
 * template expression of a path to be a declared path parameter.
 */
export function ApiRealmParam() {
  return ApiParam({ name: 'realm', description: 'The realm, as in its issuer `{publicUrl}/realms/{realm}`', schema: { type: 'string' } });
}
