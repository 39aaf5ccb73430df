import { hiddenFields } from './html.js';
import { framed, type Page } from './page.js';
import { renderTemplate } from './templates.js';

/** The error pages a person can see; each has a title and a text in the catalogue (`error.{key}.title`, `.text`). */
export type ErrorKey =
  | 'login_expired'
  | 'other_browser'
  | 'fhir_unavailable'
  | 'fhir_refused'
  | 'saml_rejected'
  | 'busy'
  | 'logout_busy'
  | 'unknown_user'
  | 'loa_too_low'
  | 'episode_of_care_refused'
  | 'invalid_login_link'
  | 'invalid_logout_link'
  | 'too_many_requests'
  | 'not_found'
  | 'bad_request'
  | 'body_too_large'
  | 'unsupported_body'
  | 'unreadable_body'
  | 'request_timeout'
  | 'server_error';

export interface ErrorPage {
  status: number;
  key: ErrorKey;
  /** A link back to the application, when one can be trusted (e.g. the client's redirect with an error). */
  returnUrl?: string;
  /** The same for a client that asked for response_mode=form_post: a button that posts these fields. */
  returnForm?: { action: string; fields: Readonly<Record<string, string>> };
}

/**
 * A readable error page for a person in a browser, with the request's reference (its log line's
 * `reqId`) for support; the technical reason stays in the log. No script runs on it: a form_post
 * client's way back is a button that posts the form (Form Post Response Mode §2).
 */
export function renderErrorPage(error: ErrorPage): Page {
  return (context) => {
    const label = context.text('page.return');
    const back = error.returnUrl
      ? renderTemplate('link-button', { href: error.returnUrl, label })
      : error.returnForm
        ? renderTemplate('return-form', { action: error.returnForm.action, fields: hiddenFields(error.returnForm.fields), label })
        : '';
    const body = renderTemplate('error', {
      message: context.text(`error.${error.key}.text`),
      back,
      referenceLabel: context.text('page.reference'),
      reference: context.reference,
    });
    return framed(context, context.text(`error.${error.key}.title`), body);
  };
}
