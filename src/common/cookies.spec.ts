import { cookieNames, crossSiteAttributes, expiredCookie, readCookie } from './cookies.js';

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

  it('asks for SameSite=None where browsers keep Secure cookies (https, loopback over http), else Lax', () => {
    for (const url of ['https://login.example/', 'http://localhost:8080/', 'http://127.0.0.1/', 'http://[::1]:8080/']) {
      expect(crossSiteAttributes(new URL(url))).toBe('SameSite=None; Secure');
    }
    for (const url of ['http://login.example/', 'http://10.0.0.1/', 'http://localhost.example/']) {
      expect(crossSiteAttributes(new URL(url))).toBe('SameSite=Lax');
    }
  });

  it('removes a cookie of its path, expired both ways, keeping its other attributes', () => {
    expect(expiredCookie('a', '/realms/x/', ['HttpOnly', 'SameSite=Lax'])).toBe(
      'a=; Path=/realms/x/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax',
    );
  });
});
