import { bearerCredentials } from './bearer-token.js';

describe('bearerCredentials', () => {
  it('reads the token whatever the case of the scheme (RFC 9110 §11.1)', () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) expect(bearerCredentials(`${scheme} abc.DEF-_~+/=`)).toBe('abc.DEF-_~+/=');
  });

  // RFC 6750 §2.1 `"Bearer" 1*SP b64token`: one space or several. This list refused 'Bearer  abc'
  // until a review read the grammar; a header with two spaces is a token, and a leading one is not.
  it('reads the token after one or more spaces (RFC 6750 §2.1 1*SP)', () => {
    expect(bearerCredentials('Bearer  abc')).toBe('abc');
    expect(bearerCredentials('Bearer    abc.def')).toBe('abc.def');
  });

  it.each([
    undefined,
    '',
    'Bearer',
    'Bearer ',
    'Bearer  ',
    'Basic YWJjOmRlZg==',
    'Bearer a b',
    ' Bearer abc',
    'Bearer abc ',
    'Bearer abc=def',
    'Bearerabc',
  ])('finds no bearer token in %p', (header) => {
    expect(bearerCredentials(header)).toBeUndefined();
  });
});
