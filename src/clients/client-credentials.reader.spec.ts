import type { FastifyRequest } from 'fastify';
import { JWT_BEARER_ASSERTION_TYPE } from './client-assertion.verifier.js';
import { readPresentedCredentials } from './client-credentials.reader.js';

/**
 * A token-endpoint request as Fastify hands it over: form body parsed, headers lower-cased, node's
 * request beneath with the header lines as sent (`authorization` one or more of them; node keeps the first).
 */
function request(body: Record<string, string | string[]>, authorization?: string | string[]): FastifyRequest {
  const lines = authorization === undefined ? [] : [authorization].flat();
  return {
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(lines.length > 0 ? { authorization: lines[0] } : {}) },
    raw: { rawHeaders: ['Content-Type', 'application/x-www-form-urlencoded', ...lines.flatMap((line) => ['Authorization', line])] },
    body,
  } as unknown as FastifyRequest;
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

const refusal = (code: string) => expect.objectContaining({ name: 'OAuthError', code });

describe('readPresentedCredentials (RFC 6749 §2.3)', () => {
  it('reads HTTP Basic, form-decoding id and secret (§2.3.1)', () => {
    expect(readPresentedCredentials(request({}, basic('my%20app', 's%3Acret+x')))).toEqual({
      method: 'client_secret_basic',
      clientId: 'my app',
      secret: 's:cret x',
    });
  });

  it('reads Basic after one or more spaces (RFC 9110 §11.4 1*SP), the scheme in any case', () => {
    const [, token] = basic('app', 'pw').split(' ');
    for (const header of [`Basic  ${token}`, `basic ${token}`])
      expect(readPresentedCredentials(request({}, header))).toMatchObject({ clientId: 'app', secret: 'pw' });
  });

  // RFC 9110 §5.3: Authorization is no list; node reads the first line, a proxy in front may read the last.
  it('refuses two Authorization lines, even when both are the same', () => {
    for (const lines of [
      [basic('app', 'pw'), basic('app', 'wrong')],
      [basic('app', 'pw'), basic('app', 'pw')],
    ]) {
      expect(() => readPresentedCredentials(request({}, lines))).toThrow(refusal('invalid_request'));
    }
  });

  it('accepts a body client_id that repeats the Basic one, refuses one that differs', () => {
    expect(readPresentedCredentials(request({ client_id: 'app' }, basic('app', 'pw')))).toMatchObject({ clientId: 'app' });
    expect(() => readPresentedCredentials(request({ client_id: 'other' }, basic('app', 'pw')))).toThrow(refusal('invalid_request'));
  });

  it('reads client_secret_post', () => {
    expect(readPresentedCredentials(request({ client_id: 'app', client_secret: 'pw' }))).toEqual({
      method: 'client_secret_post',
      clientId: 'app',
      secret: 'pw',
    });
  });

  it('reads private_key_jwt (RFC 7523 §2.2), with or without client_id', () => {
    const body = { client_assertion_type: JWT_BEARER_ASSERTION_TYPE, client_assertion: 'a.b.c' };
    expect(readPresentedCredentials(request(body))).toEqual({ method: 'private_key_jwt', assertion: 'a.b.c', clientId: undefined });
    expect(readPresentedCredentials(request({ ...body, client_id: 'app' }))).toMatchObject({ clientId: 'app' });
  });

  it('reads a public client by its client_id alone', () => {
    expect(readPresentedCredentials(request({ client_id: 'spa' }))).toEqual({ method: 'none', clientId: 'spa' });
  });

  it('reads the client of a refresh token sent with no client identification (RFC 6749 §6), only on a refresh', () => {
    const encode = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const token = `${encode({ alg: 'HS256', typ: 'rt+jwt' })}.${encode({ client_id: 'spa', sid: 's' })}.mac`;
    const atTokenEndpoint = { refreshTokenNamesClient: true };
    const refresh = request({ grant_type: 'refresh_token', refresh_token: token });
    expect(readPresentedCredentials(refresh, atTokenEndpoint)).toEqual({ method: 'none', clientId: 'spa' });
    // Introspection and revocation do not take it.
    expect(() => readPresentedCredentials(refresh)).toThrow(refusal('invalid_client'));
    // A client_id sent wins: the grant then finds the token is another client's.
    expect(
      readPresentedCredentials(request({ grant_type: 'refresh_token', refresh_token: token, client_id: 'app' }), atTokenEndpoint),
    ).toMatchObject({
      clientId: 'app',
    });
    for (const body of [
      { grant_type: 'authorization_code', refresh_token: token },
      { grant_type: 'refresh_token', refresh_token: 'not-a-jwt' },
      { grant_type: 'refresh_token', refresh_token: `${encode({ alg: 'HS256' })}.${encode({ client_id: 42 })}.mac` },
      { grant_type: 'refresh_token' },
    ] as Record<string, string>[]) {
      expect(() => readPresentedCredentials(request(body), atTokenEndpoint)).toThrow(refusal('invalid_client'));
    }
  });

  it('refuses more than one method in one request (§2.3: "MUST NOT use more than one")', () => {
    expect(() => readPresentedCredentials(request({ client_secret: 'pw' }, basic('app', 'pw')))).toThrow(refusal('invalid_request'));
    expect(() =>
      readPresentedCredentials(request({ client_id: 'app', client_secret: 'pw', client_assertion: 'a.b.c', client_assertion_type: 'x' })),
    ).toThrow(refusal('invalid_request'));
  });

  it.each([
    ['no credentials and no client_id', request({})],
    ['an Authorization header that is not Basic', request({}, 'Bearer abc')],
    ['Basic that is not base64', request({}, 'Basic !!!')],
    ['Basic without a client id', request({}, `Basic ${Buffer.from(':pw').toString('base64')}`)],
    ['Basic that is not form-encoded', request({}, basic('%zz', 'pw'))],
    ['an unknown assertion type', request({ client_assertion_type: 'urn:other', client_assertion: 'a.b.c' })],
  ])('refuses %s as invalid_client', (_name, presented) => {
    expect(() => readPresentedCredentials(presented)).toThrow(refusal('invalid_client'));
  });

  it('refuses a client_secret_post without its client_id as invalid_request', () => {
    expect(() => readPresentedCredentials(request({ client_secret: 'pw' }))).toThrow(refusal('invalid_request'));
  });

  it('refuses a body that is not a form before reading anything', () => {
    const json = { headers: { 'content-type': 'application/json' }, body: { client_id: 'app' } } as unknown as FastifyRequest;
    expect(() => readPresentedCredentials(json)).toThrow(refusal('invalid_request'));
  });
});
