import { readFileSync } from 'node:fs';

/** The languages of the pages, English first: the default when nothing else is asked for. */
export const LOCALES = ['en', 'da', 'nl'] as const;
export type Locale = (typeof LOCALES)[number];

/**
 * The message catalogue: messages/{locale}.json beside this file (copied to dist/ by
 * scripts/copy-assets.mjs), one flat object per language with the same keys (catalogue.spec.ts).
 */
const CATALOGUES = new Map<Locale, Readonly<Record<string, string>>>(
  LOCALES.map((locale) => [
    locale,
    JSON.parse(readFileSync(new URL(`./messages/${locale}.json`, import.meta.url), 'utf8')) as Record<string, string>,
  ]),
);

/** A message in `locale`; a key missing from the catalogue is a programming error, so it throws. */
export function message(locale: Locale, key: string): string {
  const text = CATALOGUES.get(locale)![key];
  if (text === undefined) throw new Error(`no message "${key}" in messages/${locale}.json`);
  return text;
}

/** Every key of a catalogue (for its spec). */
export function messageKeys(locale: Locale): string[] {
  return Object.keys(CATALOGUES.get(locale)!);
}
