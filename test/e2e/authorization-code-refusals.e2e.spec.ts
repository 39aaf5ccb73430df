import { CALLBACK, codeFlowServerForSuite } from '../support/code-flow-server.js';

/** The authorization code flow (authorization-code.e2e.spec.ts): authorization requests it refuses, and how it answers them. */
describe('authorization code flow (mocked users)', () => {
  const h = codeFlowServerForSuite();

  describe('refusals before the redirect URI is trusted: an HTML page, no redirect', () => {
    it.each([
      ['a different case', 'http://127.0.0.1/Callback'],
      // A loopback IP literal may name any port (RFC 8252 §7.3: authorization-code.e2e.spec.ts); no other host may.
      ['another port of a host that is not loopback', 'https://app.example:8443/cb?tab=1'],
      ['another path on a loopback port', 'http://127.0.0.1:8080/callback/'],
      // No URL parser takes it: accepted, the code could never be sent there (a 500 after the login).
      ['a loopback port past 65535', 'http://127.0.0.1:99999/callback'],
      ['an extra query', 'http://127.0.0.1/callback?x=1'],
      ['a trailing slash', 'http://127.0.0.1/callback/'],
      ['a missing query of a registered URI', 'https://app.example/cb'],
    ])('redirect_uri with %s', async (_name, redirectUri) => {
      const { url } = await h.authorize({ redirect_uri: redirectUri });
      const response = await fetch(url, { redirect: 'manual' });
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      expect(response.headers.get('content-type')).toMatch(/text\/html/);
      expect(await response.text()).toContain('This login link is not valid');
    });

    it('an unknown client', async () => {
      const response = await fetch(
        `${h.issuer}/protocol/openid-connect/auth?client_id=nobody&redirect_uri=${encodeURIComponent(CALLBACK)}&response_type=code`,
        { redirect: 'manual' },
      );
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
    });
  });

  describe('refusals after it is trusted: a 303 back to the client with error, state and iss', () => {
    /** The error, from the query, or from the fragment for a response type whose answer goes there. */
    const refusal = async (extra: Record<string, string | undefined>, where: 'query' | 'fragment' = 'query') => {
      const { url } = await h.authorize();
      const target = new URL(url);
      for (const [name, value] of Object.entries(extra)) {
        if (value === undefined) target.searchParams.delete(name);
        else target.searchParams.set(name, value);
      }
      const response = await fetch(target, { redirect: 'manual' });
      expect(response.status).toBe(303);
      const location = new URL(response.headers.get('location')!);
      const answer = where === 'query' ? location.searchParams : new URLSearchParams(location.hash.slice(1));
      if (where === 'fragment') expect(location.search).toBe('');
      expect(answer.get('state')).toBe(target.searchParams.get('state'));
      expect(answer.get('iss')).toBe(h.issuer);
      return answer.get('error');
    };

    it('no PKCE from a public client', async () =>
      expect(await refusal({ code_challenge: undefined, code_challenge_method: undefined })).toBe('invalid_request'));
    it('PKCE plain', async () => expect(await refusal({ code_challenge_method: 'plain' })).toBe('invalid_request'));
    // Multiple Response Type Encoding Practices §5: an implicit or hybrid client reads its answer, an error too, in the fragment.
    it.each(['token', 'id_token token', 'code id_token'])('response_type %s, in the fragment', async (type) =>
      expect(await refusal({ response_type: type }, 'fragment')).toBe('unsupported_response_type'),
    );
    it('a repeated parameter', async () => {
      const { url } = await h.authorize();
      const response = await fetch(`${url}&scope=openid`, { redirect: 'manual' });
      expect(new URL(response.headers.get('location')!).searchParams.get('error')).toBe('invalid_request');
    });
  });
});
