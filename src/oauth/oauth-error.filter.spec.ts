import type { ArgumentsHost } from '@nestjs/common';
import { OAuthErrorFilter } from './oauth-error.filter.js';

/** The reply the filter writes to, recorded. */
function answer(exception: unknown): { status: number; body: unknown; logged: unknown[] } {
  const recorded = { status: 0, body: undefined as unknown, logged: [] as unknown[] };
  const reply = {
    header: () => reply,
    status: (status: number) => ((recorded.status = status), reply),
    send: (body: unknown) => ((recorded.body = body), reply),
  };
  const request = {
    method: 'POST',
    params: { realm: 'nemlogin' },
    routeOptions: { url: '/realms/:realm/protocol/openid-connect/token' },
    log: { error: (entry: unknown) => recorded.logged.push(entry), warn: (entry: unknown) => recorded.logged.push(entry) },
  };
  const host = { switchToHttp: () => ({ getResponse: () => reply, getRequest: () => request }) } as unknown as ArgumentsHost;
  new OAuthErrorFilter().catch(exception, host);
  return recorded;
}

/** A database error as pg and PGlite raise it: a severity, a SQLSTATE, and a message quoting the input. */
function databaseError(code: string): Error {
  return Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00 (value: Nancy Berggren)'), { severity: 'ERROR', code });
}

describe('OAuthErrorFilter', () => {
  it('answers a value the database refused (SQLSTATE class 22) as invalid_request, not a 500', () => {
    const { status, body } = answer(databaseError('22021'));
    expect(status).toBe(400);
    expect(body).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
  });

  it('answers a statement the database rolled back (SQLSTATE class 40: deadlock, serialization) as retryable, a 503', () => {
    for (const code of ['40P01', '40001']) {
      const { status, body, logged } = answer(databaseError(code));
      expect(status).toBe(503);
      expect(body).toEqual({ error: 'temporarily_unavailable', error_description: expect.any(String) });
      expect(JSON.stringify(logged)).not.toContain('Nancy');
    }
  });

  it('answers any other database error as a bare server_error, whose log entry quotes nothing of it', () => {
    const { status, body, logged } = answer(databaseError('23505'));
    expect(status).toBe(500);
    expect(body).toEqual({ error: 'server_error', error_description: 'The server encountered an unexpected condition.' });
    expect(JSON.stringify((logged[0] as { reason: unknown }).reason)).not.toContain('Nancy');
  });

  it('answers an unexpected error as server_error without its message', () => {
    const { status, body } = answer(new TypeError('cannot read secret of undefined'));
    expect(status).toBe(500);
    expect(JSON.stringify(body)).not.toContain('secret');
  });
});
