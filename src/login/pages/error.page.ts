import { escapeHtml, page } from './html.js';

export interface ErrorPage {
  status: number;
  title: string;
  message: string;
  /** A link back to the application, when one can be trusted (e.g. the client's redirect with an error). */
  returnUrl?: string;
}

/** A readable error page for a person in a browser; the technical reason stays in the log. */
export function renderErrorPage(error: ErrorPage): string {
  const back = error.returnUrl ? `<a class="button" href="${escapeHtml(error.returnUrl)}">Return to the application</a>` : '';
  return page(error.title, `<p>${escapeHtml(error.message)}</p>${back}`);
}
