import type { FastifyRequest } from 'fastify';
import { cookieName, fromBoundBrowser, newBrowserBinding } from './browser-binding.js';

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
});
