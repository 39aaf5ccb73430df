import type { FastifyRequest } from 'fastify';
import { OAuthError } from './oauth-error.js';

/**
 * The parameters of an `application/x-www-form-urlencoded` OAuth request (RFC 6749 §3.2).
 * A parameter sent twice is refused (§3.1: "Request and response parameters MUST NOT be included
 * more than once"); empty values count as absent (§3.1). Unknown parameters are ignored (§3.2).
 * Values are copied into a Map so keys such as `__proto__` are plain data.
 */
export class FormParams {
  private constructor(private readonly values: Map<string, string>) {}

  static fromRequest(request: FastifyRequest): FormParams {
    const cached = parsed.get(request);
    if (cached) return cached;
    const contentType = String(request.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim()
      .toLowerCase();
    if (contentType !== 'application/x-www-form-urlencoded') {
      throw new OAuthError('invalid_request', `content type "${contentType}" is not a form`);
    }
    const body: unknown = request.body ?? {};
    if (typeof body !== 'object' || body === null) throw new OAuthError('invalid_request', 'body is not a form');
    const values = new Map<string, string>();
    for (const [key, value] of Object.entries(body)) {
      if (Array.isArray(value)) throw new OAuthError('invalid_request', `parameter ${key} repeated`);
      if (typeof value !== 'string') throw new OAuthError('invalid_request', `parameter ${key} is not a string`);
      if (value !== '') values.set(key, value);
    }
    const params = new FormParams(values);
    parsed.set(request, params);
    return params;
  }

  get(name: string): string | undefined {
    return this.values.get(name);
  }

  require(name: string): string {
    const value = this.values.get(name);
    if (value === undefined) throw new OAuthError('invalid_request', `missing parameter ${name}`);
    return value;
  }

  has(name: string): boolean {
    return this.values.has(name);
  }
}

const parsed = new WeakMap<FastifyRequest, FormParams>();
