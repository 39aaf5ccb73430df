import { escapeHtml, page } from './html.js';

export interface LoginOption {
  label: string;
  href: string;
}

/** Where a realm has several identity providers (or mocked users besides one), the person picks. */
export function renderChooserPage(options: LoginOption[]): string {
  const links = options.map((o) => `<a class="button" href="${escapeHtml(o.href)}">${escapeHtml(o.label)}</a>`).join('\n');
  return page('Choose how to log in', links);
}
