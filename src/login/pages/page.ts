import type { PageContext } from './page-context.js';
import { renderTemplate } from './templates.js';

/** A page waiting for its context (language, branding, reference), which only the request knows. */
export type Page = (context: PageContext) => string;

/**
 * The frame of every page this service shows a person (templates/layout.html): plain, readable, no
 * scripts; the operator's logo and name above, its privacy statement below, when configured.
 */
export function framed(context: PageContext, title: string, body: string): string {
  const { operatorName, logoUrl, privacyUrl } = context.branding;
  const logo = logoUrl ? renderTemplate('logo', { logoUrl }) : '';
  const header = operatorName || logo ? renderTemplate('header', { logo, operatorName: operatorName ?? '' }) : '';
  const footer = privacyUrl ? renderTemplate('footer', { privacyUrl, privacy: context.text('page.privacy') }) : '';
  return renderTemplate('layout', { lang: context.locale, title, header, body, footer });
}
