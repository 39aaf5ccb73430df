import { createHash } from 'node:crypto';
import { hiddenFields } from './html.js';
import type { Page } from './page.js';
import { renderTemplate } from './templates.js';

/** The page's only script: submit the form once it is parsed. */
const SUBMIT = 'document.forms[0].submit();';

/**
 * Content-Security-Policy of the page: nothing may load, only the one script above may run (by its
 * hash, CSP 3 §8.4 — no `unsafe-inline`), no framing. No `form-action`: browsers apply it to the
 * redirects that follow the post too, and a client's callback may well redirect to another origin.
 */
export const FORM_POST_CSP = `default-src 'none'; script-src 'sha256-${createHash('sha256').update(SUBMIT).digest('base64')}'; base-uri 'none'; frame-ancestors 'none'`;

/**
 * OAuth 2.0 Form Post Response Mode §2: an HTML page (templates/form-post.html) whose form carries
 * the response fields to the client's redirect URI and submits itself. Without script a person
 * presses the button instead.
 */
export function renderFormPostPage(action: string, fields: Readonly<Record<string, string>>): Page {
  return (context) =>
    renderTemplate('form-post', {
      lang: context.locale,
      title: context.text('form_post.title'),
      action,
      fields: hiddenFields(fields),
      noscript: context.text('form_post.noscript'),
      continue: context.text('form_post.continue'),
      script: SUBMIT,
    });
}
