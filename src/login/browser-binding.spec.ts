import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Realm } from '../realms/realm.js';
import {
  cookieName,
  fromBoundBrowser,
  MAX_BINDING_COOKIES,
  MAX_EXPIRED_PER_ANSWER,
  newBrowserBinding,
  setBindingCookie,
} from './browser-binding.js';

describe('browser binding of a pending login', () => {
  const request = (cookie?: string) => ({ headers: cookie === undefined ? {} : { cookie } }) as unknown as FastifyRequest;

  it('accepts the browser holding the cookie of that transaction', () => {
    const binding = newBrowserBinding();
    expect(fromBoundBrowser(request(`a=b; ${cookieName('tx-1')}=${binding.value}`), 'tx-1', binding.digest)).toBe(true);
  });

  it('refuses no cookie, another transaction’s cookie, another value, and an unbound transaction', () => {
    const binding = newBrowserBinding();
    expect(fromBoundBrowser(request(), 'tx-1', binding.digest)).toBe(false);
    expect(fromBoundBrowser(request(`${cookieName('tx-2')}=${binding.value}`), 'tx-1', binding.digest)).toBe(false);
    expect(fromBoundBrowser(request(`${cookieName('tx-1')}=${newBrowserBinding().value}`), 'tx-1', binding.digest)).toBe(false);
    expect(fromBoundBrowser(request(`${cookieName('tx-1')}=${binding.value}`), 'tx-1', null)).toBe(false);
  });

  describe('its cookies', () => {
    const realm = { issuer: 'https://auth.example/realms/nemlogin' } as Realm;
    const setCookies = (sent?: string): string[] => {
      const set: string[] = [];
      const reply = { header: (_name: string, value: string | string[]) => set.push(...[value].flat()) } as unknown as FastifyReply;
      setBindingCookie(reply, realm, 'tx-new', 'value', sent);
      return set;
    };
    const sentBy = (count: number) => Array.from({ length: count }, (_, i) => `${cookieName(`tx-${i}`)}=v${i}`);

    it('sets the new login’s cookie alone while the browser holds few', () => {
      const set = setCookies(['KEYCLOAK_IDENTITY=x', ...sentBy(MAX_BINDING_COOKIES - 1)].join('; '));
      expect(set).toEqual([expect.stringMatching(new RegExp(`^${cookieName('tx-new')}=value; Path=/realms/nemlogin/; Max-Age=600`))]);
    });

    // A browser that started hundreds of logins within their Max-Age would otherwise send more than
    // node's 16 KB of headers under the realm's path, and get 431 on every page of it.
    it('expires the oldest (listed first, RFC 6265 §5.4) beyond the bound, and no other cookie', () => {
      const sent = sentBy(MAX_BINDING_COOKIES + 4);
      const set = setCookies(['KEYCLOAK_IDENTITY=x', ...sent, 'other=y', 'federation_login_short=z'].join('; '));
      const expired = set.filter((cookie) => cookie.includes('Max-Age=0'));
      expect(expired.map((cookie) => cookie.split('=')[0])).toEqual(sent.slice(0, 5).map((cookie) => cookie.split('=')[0]));
      expect(expired.every((cookie) => cookie.includes('Path=/realms/nemlogin/'))).toBe(true);
      expect(set.filter((cookie) => !cookie.includes('Max-Age=0'))).toHaveLength(1);
    });

    // A browser arriving with hundreds (from before the bound) is not sent a line for each at once,
    // more than a proxy buffers for an answer's headers: the oldest first, the rest at its next logins.
    it('expires at most MAX_EXPIRED_PER_ANSWER in one answer, the oldest first', () => {
      const sent = sentBy(300);
      const expired = setCookies(sent.join('; ')).filter((cookie) => cookie.includes('Max-Age=0'));
      expect(expired.map((cookie) => cookie.split('=')[0])).toEqual(
        sent.slice(0, MAX_EXPIRED_PER_ANSWER).map((cookie) => cookie.split('=')[0]),
      );
    });
  });
});
