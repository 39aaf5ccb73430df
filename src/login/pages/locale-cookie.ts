import type { FastifyReply, FastifyRequest } from 'fastify';
import { readCookie } from '../../common/cookies.js';
import { supported } from './locale.js';
import type { PageSettings } from './page-settings.js';

/**
 * The language a login was started in (its `ui_locales`), for the pages after the authorization
 * request: the mocked-user page, the ACS's answers. Kept in a cookie of the realm's path for the
 * login's lifetime, as Keycloak keeps its locale; `SameSite=None` where allowed, because the IdP posts
 * to the ACS cross-site (as browser-binding.ts). An authorization request without a language we
 * speak clears it, so one login's choice does not stick to the next.
 */
export const LOCALE_COOKIE = 'federation_locale';
const LIFETIME_S = 600;

export function rememberLocale(request: FastifyRequest, reply: FastifyReply, settings: PageSettings, uiLocales: string | undefined): void {
  const realm = (request.params as Record<string, unknown> | undefined)?.realm;
  if (!settings.isRealm(realm)) return;
  const { cookiePath, sameSite } = settings.forRealm(realm);
  const locale = (uiLocales ?? '')
    .split(' ')
    .map(supported)
    .find((l) => l !== undefined);
  const had = readCookie(request.headers.cookie, LOCALE_COOKIE) !== undefined;
  if (!locale && !had) return;
  const attributes = [`Path=${cookiePath}`, `Max-Age=${locale ? LIFETIME_S : 0}`, 'HttpOnly', sameSite];
  void reply.header('Set-Cookie', `${LOCALE_COOKIE}=${locale ?? ''}; ${attributes.join('; ')}`);
}
