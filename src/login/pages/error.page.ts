import { escapeHtml, hiddenFields, page } from './html.js';

export interface ErrorPage {
  status: number;
  title: string;
  message: string;
  /** A link back to the application, when one can be trusted (e.g. the client's redirect with an error). */
  returnUrl?: string;
  /** The same for a client that asked for response_mode=form_post: a button that posts these fields. */
  returnForm?: { action: string; fields: Readonly<Record<string, string>> };
}

/** A readable error page for a person in a browser; the technical reason stays in the log. */
export function renderErrorPage(error: ErrorPage): string {
  const back = error.returnUrl
    ? `<a class="button" href="${escapeHtml(error.returnUrl)}">Return to the application</a>`
    : error.returnForm
      ? returnButton(error.returnForm)
      : '';
  return page(error.title, `<p>${escapeHtml(error.message)}</p>${back}`);
}

/** No script runs on this page: the person posts the form (Form Post Response Mode §2) with the button. */
function returnButton({ action, fields }: NonNullable<ErrorPage['returnForm']>): string {
  return `<form method="post" action="${escapeHtml(action)}">${hiddenFields(fields)}<button type="submit">Return to the application</button></form>`;
}
