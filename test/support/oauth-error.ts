import { OAuthError, type OAuthErrorCode } from '../../src/protocol/oauth-error.js';
import type { RawResponse } from './token-requests.js';

/**
 * Asserts a whole RFC 6749 §5.2 error response: the status, a JSON body of exactly `error` and its
 * fixed `error_description` (plus `state` when the request carried one) — so no reason meant for
 * the log leaks into a body — and the no-store headers of §5.1.
 */
export function expectOAuthError(
  response: RawResponse,
  status: number,
  code: OAuthErrorCode,
  expected: { state?: string; description?: string } = {},
): void {
  const body: Record<string, string> = {
    error: code,
    error_description: expected.description ?? new OAuthError(code, 'expected').description,
  };
  if (expected.state !== undefined) body.state = expected.state;
  expect({ status: response.status, body: response.body }).toEqual({ status, body });
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(response.headers.get('cache-control')).toBe('no-store');
}

/** The same, for a fetch `Response` whose body was not read yet. */
export async function expectOAuthErrorResponse(
  response: Response,
  status: number,
  code: OAuthErrorCode,
  expected: { state?: string; description?: string } = {},
): Promise<void> {
  const body = JSON.parse(await response.text()) as Record<string, unknown>;
  expectOAuthError({ status: response.status, headers: response.headers, body }, status, code, expected);
}
