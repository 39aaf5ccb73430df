import { hiddenFields } from './html.js';
import { framed, type Page } from './page.js';
import { renderTemplate } from './templates.js';

/**
 * RP-initiated logout without an `id_token_hint` (OpenID Connect RP-Initiated Logout 1.0 §2: the OP
 * "SHOULD ask the End-User whether to log out"): a button that posts `fields` to `action`. A link
 * any site can open must not end a session by itself.
 */
export function renderLogoutConfirmPage(action: string, fields: Readonly<Record<string, string>>): Page {
  return (context) =>
    framed(
      context,
      context.text('logout_confirm.title'),
      renderTemplate('logout-confirm', {
        text: context.text('logout_confirm.text'),
        action,
        fields: hiddenFields(fields),
        label: context.text('logout_confirm.button'),
      }),
    );
}
