import { readdirSync, readFileSync } from 'node:fs';
import { escapeHtml } from './html.js';

/**
 * The HTML templates beside this file (templates/*.html; scripts/copy-assets.mjs copies them to
 * dist/), read once at start. The syntax is deliberately tiny: `{{name}}` inserts text, always
 * escaped; `{{{name}}}` inserts markup, and only ever markup rendered from another template here
 * (or hidden fields built by html.ts), never a value from a request or the config.
 */
const DIRECTORY = new URL('./templates/', import.meta.url);

const TEMPLATES = new Map(
  readdirSync(DIRECTORY)
    .filter((file) => file.endsWith('.html'))
    .map((file) => [file.slice(0, -'.html'.length), readFileSync(new URL(file, DIRECTORY), 'utf8').replace(/\n$/, '')]),
);

const PLACEHOLDER = /\{\{\{(\w+)\}\}\}|\{\{(\w+)\}\}/g;

export type TemplateName =
  | 'layout'
  | 'header'
  | 'logo'
  | 'footer'
  | 'link-button'
  | 'return-form'
  | 'error'
  | 'mock-login'
  | 'mock-user'
  | 'logged-out'
  | 'logout-confirm'
  | 'form-post';

/** Fills a template; a placeholder without a value is a programming error, so it throws. */
export function renderTemplate(name: TemplateName, values: Readonly<Record<string, string>>): string {
  const template = TEMPLATES.get(name);
  if (template === undefined) throw new Error(`no template ${name}.html`);
  return template.replace(PLACEHOLDER, (_, markup: string | undefined, text: string | undefined) => {
    const value = values[markup ?? text!];
    if (value === undefined) throw new Error(`template ${name}.html: no value for ${markup ?? text}`);
    return markup !== undefined ? value : escapeHtml(value);
  });
}
