import { bearerCredentials } from './bearer-token.js';

describe('bearerCredentials', () => {
  it('reads the token whatever the case of the scheme (RFC 9110 §11.1)', () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) expect(bearerCredentials(`${scheme} abc.DEF-_~+/=`)).toBe('abc.DEF-_~+/=');
  });

  it.each([undefined, '', 'Bearer', 'Bearer ', 'Basic YWJjOmRlZg==', 'Bearer a b', 'Bearer  abc', 'Bearer abc=def', 'Bearerabc'])(
    'finds no bearer token in %p',
    (header) => {
      expect(bearerCredentials(header)).toBeUndefined();
    },
  );
});
