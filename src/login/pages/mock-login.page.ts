import type { MockUserConfig } from '../../config/config.schema.js';
import { escapeHtml, page } from './html.js';

/**
 * The stand-in for the national IdP in non-production: one button per configured mocked user,
 * posting back to the mock endpoint with the login transaction.
 */
export function renderMockLoginPage(action: string, transactionId: string, users: MockUserConfig[]): string {
  const buttons = users
    .map((user) => {
      const label = user.name?.text ?? ([...(user.name?.given ?? []), user.name?.family].filter(Boolean).join(' ') || user.username);
      return `<button type="submit" name="username" value="${escapeHtml(user.username)}">${escapeHtml(label)} <span class="hint">(${escapeHtml(user.kind)})</span></button>`;
    })
    .join('\n');
  return page(
    'Mocked login (test environments only)',
    `<p class="hint">No national identity provider is involved. This page does not exist in production.</p>
<form method="post" action="${escapeHtml(action)}">
<input type="hidden" name="tx" value="${escapeHtml(transactionId)}">
${buttons}
</form>`,
  );
}
