import { framed, type Page } from './page.js';
import { renderTemplate } from './templates.js';

/** After an RP-initiated logout that names no registered place to return to. */
export function renderLoggedOutPage(): Page {
  return (context) =>
    framed(context, context.text('logged_out.title'), renderTemplate('logged-out', { text: context.text('logged_out.text') }));
}
