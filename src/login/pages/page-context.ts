import type { FastifyRequest } from 'fastify';
import type { BrandingConfig } from '../../config/branding.schema.js';
import { message, type Locale } from './catalogue.js';
import { chooseLocale } from './locale.js';
import { readCookie } from '../../common/cookies.js';
import { LOCALE_COOKIE } from './locale-cookie.js';
import type { PageSettings, RealmPageSettings } from './page-settings.js';

/** What a page is rendered with: the person's language, the operator's branding, the request's reference. */
export interface PageContext {
  locale: Locale;
  text(key: string): string;
  branding: BrandingConfig;
  /** The request id: on the request's log line (`reqId`), so support can find what happened. */
  reference: string;
  /** How an IdP is named to a person: its configured display name, else its kind's name; never its alias. */
  idpName(alias: string): string;
}

/**
 * The context of the page answering `request`. Its language: `ui_locales` when this request carries
 * it (the authorization request), else the one the login was started with (its cookie, set at the
 * authorization endpoint: login-pages.setup.ts), else `Accept-Language`.
 */
export function pageContext(request: FastifyRequest, settings: PageSettings | undefined): PageContext {
  const params = (request.params ?? {}) as Record<string, unknown>;
  const realm = settings?.forRealm(params.realm);
  const locale = chooseLocale(
    uiLocalesOf(request) ?? readCookie(request.headers.cookie, LOCALE_COOKIE),
    typeof request.headers['accept-language'] === 'string' ? request.headers['accept-language'] : undefined,
  );
  return contextFor(locale, request.id, realm);
}

/** English, unbranded: for pages rendered outside a request (specs). */
export function defaultPageContext(reference = 'none'): PageContext {
  return contextFor('en', reference, undefined);
}

/** `ui_locales` of the query or the form body, when it is one string. */
export function uiLocalesOf(request: FastifyRequest): string | undefined {
  for (const source of [request.query, request.body]) {
    const value = source && typeof source === 'object' ? (source as Record<string, unknown>).ui_locales : undefined;
    if (typeof value === 'string') return value;
  }
  return undefined;
}

function contextFor(locale: Locale, reference: string, realm: RealmPageSettings | undefined): PageContext {
  const text = (key: string) => message(locale, key);
  return {
    locale,
    text,
    branding: realm?.branding ?? {},
    reference,
    idpName: (alias) => {
      const idp = realm?.identityProviders.get(alias);
      return idp?.displayName ?? text(idp ? `idp.${idp.profile}` : 'idp.mock');
    },
  };
}
