import type { FastifyRequest } from 'fastify';
import { OAuthError } from './oauth-error.js';
import { MEDIA_TYPE_SHAPE, PARAMETER_NAME_SHAPE, registeredOrOther } from './registered-values.js';

/**
 * RFC 8693 §2.1: "Multiple audience parameters MAY be used to indicate that the issued token is
 * intended to be used at the multiple target services", and likewise `resource`. Only on a
 * token-exchange request, and only these two: every other repetition stays refused.
 */
const REPEATABLE_BY_GRANT: Readonly<Record<string, readonly string[]>> = {
  'urn:ietf:params:oauth:grant-type:token-exchange': ['audience', 'resource'],
};

/**
 * The most values one repeatable parameter may carry. RFC 8693 sets no maximum; a client names a
 * handful of targets at most, and without a bound a form's 100 pairs (request-bodies.ts) could all be one.
 */
export const MAX_REPEATED_VALUES = 10;

const FORM_MEDIA_TYPE = 'application/x-www-form-urlencoded';

/** The media type of a request's body, without parameters, in lower case ('' when none). */
export function bodyMediaType(request: FastifyRequest): string {
  return String(request.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
}

/** Whether a request is a POST with a form body, the one place RFC 6750 §2.2 lets a bearer token be. */
export function isFormPost(request: FastifyRequest): boolean {
  return request.method === 'POST' && bodyMediaType(request) === FORM_MEDIA_TYPE;
}

/**
 * The parameters of an `application/x-www-form-urlencoded` OAuth request (RFC 6749 §3.2).
 * A parameter sent twice is refused (§3.1: "Request and response parameters MUST NOT be included
 * more than once"), except those a grant's own RFC lets repeat (`REPEATABLE_BY_GRANT`), which are
 * read with `getAll`; empty values count as absent (§3.1). Unknown parameters are ignored (§3.2).
 * Values are copied into a Map so keys such as `__proto__` are plain data.
 */
export class FormParams {
  private constructor(private readonly values: Map<string, readonly string[]>) {}

  static fromRequest(request: FastifyRequest): FormParams {
    const cached = parsed.get(request);
    if (cached) return cached;
    const contentType = bodyMediaType(request);
    if (contentType !== FORM_MEDIA_TYPE) {
      throw new OAuthError('invalid_request', `content type ${registeredOrOther(contentType, MEDIA_TYPE_SHAPE)} is not a form`);
    }
    const body: unknown = request.body ?? {};
    if (typeof body !== 'object' || body === null) throw new OAuthError('invalid_request', 'body is not a form');
    const repeatable = repeatableIn(body as Record<string, unknown>);
    const values = new Map<string, readonly string[]>();
    for (const [key, value] of Object.entries(body)) {
      const present = valuesOf(key, value, repeatable.includes(key)).filter((one) => one !== '');
      if (present.length > 0) values.set(key, present);
    }
    const params = new FormParams(values);
    parsed.set(request, params);
    return params;
  }

  /** The one value of a parameter; a repeatable one sent more than once is refused here. */
  get(name: string): string | undefined {
    const present = this.values.get(name);
    if (present && present.length > 1) throw new OAuthError('invalid_request', `parameter ${name} repeated`);
    return present?.[0];
  }

  /** Every value of a parameter that may repeat, in the order sent; none when absent. */
  getAll(name: string): readonly string[] {
    return this.values.get(name) ?? [];
  }

  require(name: string): string {
    const value = this.get(name);
    if (value === undefined) throw new OAuthError('invalid_request', `missing parameter ${name}`);
    return value;
  }

  has(name: string): boolean {
    return this.values.has(name);
  }
}

/** The parameters that may repeat in this request: those its grant type allows, else none. */
function repeatableIn(body: Record<string, unknown>): readonly string[] {
  const grantType = Object.hasOwn(body, 'grant_type') ? body.grant_type : undefined;
  return typeof grantType === 'string' && Object.hasOwn(REPEATABLE_BY_GRANT, grantType) ? REPEATABLE_BY_GRANT[grantType]! : [];
}

/** A parameter's values as strings: repeated only where allowed, and then at most `MAX_REPEATED_VALUES`. */
function valuesOf(key: string, value: unknown, repeatable: boolean): string[] {
  const all = Array.isArray(value) ? (value as unknown[]) : [value];
  // Named only on a refusal: every parameter of every request passes through here.
  const name = () => registeredOrOther(key, PARAMETER_NAME_SHAPE);
  if (all.length > 1 && !repeatable) throw new OAuthError('invalid_request', `parameter ${name()} repeated`);
  if (all.length > MAX_REPEATED_VALUES) {
    throw new OAuthError('invalid_request', `parameter ${name()} has more than ${MAX_REPEATED_VALUES} values`);
  }
  if (!all.every((one): one is string => typeof one === 'string')) {
    throw new OAuthError('invalid_request', `parameter ${name()} is not a string`);
  }
  return all;
}

const parsed = new WeakMap<FastifyRequest, FormParams>();
