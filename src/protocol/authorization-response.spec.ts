import { authorizationRedirect, authorizationResponse, parseResponseMode, withQueryParams } from './authorization-response.js';

const ISSUER = 'https://auth.example/realms/nemlogin';

describe('authorizationResponse (RFC 6749 §4.1.2, RFC 9207, response modes)', () => {
  it('query: adds the parameters and iss to the redirect URI, keeping its own query', () => {
    expect(authorizationResponse('query', 'https://app.example/cb?tab=1', ISSUER, { code: 'c1', state: 's 1', error: undefined })).toEqual({
      mode: 'query',
      url: 'https://app.example/cb?tab=1&code=c1&state=s+1&iss=https%3A%2F%2Fauth.example%2Frealms%2Fnemlogin',
    });
  });

  it('fragment: puts them in the fragment, leaving the query alone', () => {
    const response = authorizationResponse('fragment', 'https://app.example/cb?tab=1', ISSUER, { code: 'c1', state: 's1' });
    expect(response).toEqual({
      mode: 'fragment',
      url: 'https://app.example/cb?tab=1#code=c1&state=s1&iss=https%3A%2F%2Fauth.example%2Frealms%2Fnemlogin',
    });
  });

  it('form_post: the fields to post to the redirect URI as registered', () => {
    expect(
      authorizationResponse('form_post', 'https://app.example/cb?tab=1', ISSUER, { error: 'access_denied', state: undefined }),
    ).toEqual({
      mode: 'form_post',
      action: 'https://app.example/cb?tab=1',
      fields: { error: 'access_denied', iss: ISSUER },
    });
  });

  it('keeps the registered query as registered, however it is encoded, replacing only a parameter it adds', () => {
    expect(authorizationRedirect('https://app.example/cb?next=/a%20b&k=v~1', ISSUER, { code: 'c1' })).toBe(
      'https://app.example/cb?next=/a%20b&k=v~1&code=c1&iss=https%3A%2F%2Fauth.example%2Frealms%2Fnemlogin',
    );
    expect(withQueryParams('http://127.0.0.1:9000/bye?', { state: 's 1' })).toBe('http://127.0.0.1:9000/bye?state=s+1');
    expect(withQueryParams('http://127.0.0.1:9000/bye?state=x&tab=1', { state: 's1' })).toBe('http://127.0.0.1:9000/bye?tab=1&state=s1');
    // Written as the URL Standard serialises it: a Location header carries ASCII only.
    expect(withQueryParams('https://app.example/cb?x=→', { state: 's' })).toBe('https://app.example/cb?x=%E2%86%92&state=s');
  });

  it('authorizationRedirect is the query mode', () => {
    expect(authorizationRedirect('https://app.example/cb', ISSUER, { code: 'c1' })).toBe(
      'https://app.example/cb?code=c1&iss=https%3A%2F%2Fauth.example%2Frealms%2Fnemlogin',
    );
  });
});

describe('parseResponseMode', () => {
  it('defaults to query and knows query, fragment and form_post, case-sensitively', () => {
    expect(parseResponseMode(undefined)).toBe('query');
    expect(parseResponseMode(undefined, 'code')).toBe('query');
    expect(parseResponseMode('fragment')).toBe('fragment');
    expect(parseResponseMode('form_post')).toBe('form_post');
    expect(parseResponseMode('query')).toBe('query');
    expect(parseResponseMode('jwt')).toBeNull();
    expect(parseResponseMode('Fragment')).toBeNull();
  });

  it('defaults to fragment for a response type with token or id_token (Multiple Response Type Encoding Practices §5)', () => {
    for (const type of ['token', 'id_token', 'id_token token', 'code id_token', 'code token', 'code id_token token'])
      expect([type, parseResponseMode(undefined, type)]).toEqual([type, 'fragment']);
    for (const type of ['code', 'none', 'tokens', '']) expect([type, parseResponseMode(undefined, type)]).toEqual([type, 'query']);
    expect(parseResponseMode('query', 'token')).toBe('query');
  });
});
