import { LOCALES, type Locale } from './catalogue.js';

/**
 * The language of a page: the first supported one of the client's `ui_locales` (OIDC Core §3.1.2.1:
 * space-separated BCP 47 tags, in order of preference), else the browser's preference
 * (`Accept-Language`, RFC 9110 §12.5.4: the highest weight wins, the earlier on a tie), else English.
 * A tag matches by its primary subtag: `da-DK` is Danish, `nl-BE` Dutch.
 */
export function chooseLocale(uiLocales: string | undefined, acceptLanguage: string | undefined): Locale {
  for (const tag of (uiLocales ?? '').split(' ')) {
    const locale = supported(tag);
    if (locale) return locale;
  }
  let best: { locale: Locale; weight: number } | undefined;
  for (const range of (acceptLanguage ?? '').split(',').slice(0, 32)) {
    const [tag = '', ...parameters] = range.split(';');
    const locale = supported(tag.trim());
    const weight = weightOf(parameters);
    if (locale && weight > 0 && (!best || weight > best.weight)) best = { locale, weight };
  }
  return best?.locale ?? 'en';
}

/** Our locale for a language tag, if we have it. */
export function supported(tag: string): Locale | undefined {
  const primary = tag.toLowerCase().split('-')[0];
  return (LOCALES as readonly string[]).includes(primary ?? '') ? (primary as Locale) : undefined;
}

function weightOf(parameters: string[]): number {
  for (const parameter of parameters) {
    const match = /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/i.exec(parameter);
    if (match) return Number(match[1]);
  }
  return 1;
}
