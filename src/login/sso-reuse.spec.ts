import { answersFromSso } from './sso-reuse.js';

describe('answersFromSso (OIDC Core §3.1.2.1 prompt and max_age)', () => {
  const now = new Date('2030-01-01T12:00:00Z');
  const sso = { auth_time: new Date(now.getTime() - 60_000) };

  it('answers from a live SSO session unless the request asks for a new authentication', () => {
    expect(answersFromSso(sso, {}, now)).toBe(true);
    expect(answersFromSso(sso, { prompt: 'none' }, now)).toBe(true);
    expect(answersFromSso(undefined, {}, now)).toBe(false);
    expect(answersFromSso(sso, { prompt: 'login' }, now)).toBe(false);
  });

  it('re-authenticates once the SSO session’s authentication is max_age old; max_age=0 always', () => {
    expect(answersFromSso(sso, { maxAge: 61 }, now)).toBe(true);
    expect(answersFromSso(sso, { maxAge: 60 }, now)).toBe(false);
    expect(answersFromSso({ auth_time: now }, { maxAge: 0 }, now)).toBe(false);
  });
});
