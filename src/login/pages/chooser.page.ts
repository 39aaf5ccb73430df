import { framed, type Page } from './page.js';
import { renderTemplate } from './templates.js';

export interface LoginOption {
  /** The IdP (or `mock`); the page names it by its display name, never by the alias. */
  alias: string;
  href: string;
}

/** Where a realm has several identity providers (or mocked users besides one), the person picks. */
export function renderChooserPage(options: LoginOption[]): Page {
  return (context) =>
    framed(
      context,
      context.text('chooser.title'),
      options.map((o) => renderTemplate('link-button', { href: o.href, label: context.idpName(o.alias) })).join('\n'),
    );
}
