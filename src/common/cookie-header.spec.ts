import { cookieNames, readCookie } from './cookie-header.js';

describe('the Cookie header (RFC 6265 §5.4)', () => {
  it('reads a cookie by its exact name, the first value when the browser sent the name twice', () => {
    const header = 'a=1; federation_locale=da; federation_locale=en; b=x=y';
    expect(readCookie(header, 'federation_locale')).toBe('da');
    expect(readCookie(header, 'b')).toBe('x=y');
    expect(readCookie(header, 'federation')).toBeUndefined();
    expect(readCookie(header, 'A')).toBeUndefined();
  });

  it('reads nothing from no header, an empty one, or one without that name', () => {
    expect(readCookie(undefined, 'a')).toBeUndefined();
    expect(readCookie('', 'a')).toBeUndefined();
    expect(readCookie('junk; ;;', 'a')).toBeUndefined();
  });

  it('lists the names once each, in the order sent (oldest first for one path)', () => {
    expect(cookieNames('c=1;b=2; a=3; b=4')).toEqual(['c', 'b', 'a']);
    expect(cookieNames(undefined)).toEqual([]);
  });
});
