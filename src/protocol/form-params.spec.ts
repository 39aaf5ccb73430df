import type { FastifyRequest } from 'fastify';
import { FormParams, MAX_REPEATED_VALUES } from './form-params.js';

/** A form request as Fastify hands it over: a repeated parameter arrives as an array. */
function request(body: Record<string, string | string[]>): FastifyRequest {
  return { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body } as unknown as FastifyRequest;
}

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const refusal = (code: string, reason: RegExp) =>
  expect.objectContaining({ name: 'OAuthError', code, reason: expect.stringMatching(reason) });

describe('FormParams (RFC 6749 §3.2)', () => {
  it('reads single values, empty ones as absent, and keeps __proto__ as data', () => {
    const params = FormParams.fromRequest(request({ grant_type: 'refresh_token', scope: '', ['__proto__']: 'x' }));
    expect(params.get('grant_type')).toBe('refresh_token');
    expect(params.has('scope')).toBe(false);
    expect(params.get('__proto__')).toBe('x');
    expect(() => params.require('refresh_token')).toThrow(refusal('invalid_request', /missing parameter refresh_token/));
  });

  it('refuses any repeated parameter (§3.1), audience and resource too outside a token exchange', () => {
    for (const body of [
      { grant_type: EXCHANGE, scope: ['a', 'b'] },
      { grant_type: EXCHANGE, subject_token: ['t', 't'] },
      { grant_type: 'client_credentials', audience: ['xis', 'xis-archive'] },
      { grant_type: 'authorization_code', resource: ['https://a.example/', 'https://b.example/'] },
      { token: 't', audience: ['xis', 'xis'] },
    ] as Record<string, string | string[]>[]) {
      expect(() => FormParams.fromRequest(request(body))).toThrow(refusal('invalid_request', /repeated/));
    }
    expect(() => FormParams.fromRequest(request({ grant_type: [EXCHANGE, EXCHANGE], audience: ['a', 'b'] }))).toThrow(
      refusal('invalid_request', /grant_type repeated/),
    );
  });

  it('lets audience and resource repeat in a token exchange (RFC 8693 §2.1), each value whole', () => {
    const params = FormParams.fromRequest(
      request({ grant_type: EXCHANGE, audience: ['xis', 'xis archive', ''], resource: ['https://a.example/', 'https://b.example/'] }),
    );
    expect(params.getAll('audience')).toEqual(['xis', 'xis archive']);
    expect(params.getAll('resource')).toEqual(['https://a.example/', 'https://b.example/']);
    expect(params.getAll('scope')).toEqual([]);
    // Code reading one value still refuses several.
    expect(() => params.get('audience')).toThrow(refusal('invalid_request', /audience repeated/));
    expect(FormParams.fromRequest(request({ grant_type: EXCHANGE, audience: 'xis' })).getAll('audience')).toEqual(['xis']);
  });

  it(`bounds a repeatable parameter at ${MAX_REPEATED_VALUES} values`, () => {
    const values = (n: number) => Array.from({ length: n }, (_, i) => `target-${i}`);
    expect(
      FormParams.fromRequest(request({ grant_type: EXCHANGE, audience: values(MAX_REPEATED_VALUES) })).getAll('audience'),
    ).toHaveLength(MAX_REPEATED_VALUES);
    expect(() => FormParams.fromRequest(request({ grant_type: EXCHANGE, audience: values(MAX_REPEATED_VALUES + 1) }))).toThrow(
      refusal('invalid_request', /audience has more than/),
    );
    expect(() => FormParams.fromRequest(request({ grant_type: EXCHANGE, resource: values(5000) }))).toThrow(
      refusal('invalid_request', /resource has more than/),
    );
  });
});
