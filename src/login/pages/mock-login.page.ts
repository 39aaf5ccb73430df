import type { MockUserConfig } from '../../config/config.schema.js';
import { framed, type Page } from './page.js';
import { renderTemplate } from './templates.js';

/**
 * The stand-in for the national IdP in non-production: one button per configured mocked user,
 * posting back to the mock endpoint with the login transaction.
 */
export function renderMockLoginPage(action: string, transactionId: string, users: MockUserConfig[]): Page {
  return (context) => {
    const buttons = users
      .map((user) =>
        renderTemplate('mock-user', {
          username: user.username,
          label: user.name?.text ?? ([...(user.name?.given ?? []), user.name?.family].filter(Boolean).join(' ') || user.username),
          kind: context.text(`user_kind.${user.kind}`),
        }),
      )
      .join('\n');
    const body = renderTemplate('mock-login', { hint: context.text('mock.hint'), action, tx: transactionId, buttons });
    return framed(context, context.text('mock.title'), body);
  };
}
