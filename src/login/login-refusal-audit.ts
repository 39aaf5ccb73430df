import { BoundedRefusalAudit } from '../audit/bounded-refusal-audit.js';

/**
 * Browser logins refused before anything in them is known to be the person's, in the audit trail
 * within `limits.loginRefusalAudit` ({@link BoundedRefusalAudit}): an answer posted to a pending login
 * by another browser than the one that started it (`different_browser`), which leaves the login
 * pending, so one RelayState could be posted again and again, each post a row kept for the retention
 * period; and a mocked login's answer to no pending login (`expired_login`). A refusal that ends the
 * login (LoginCompletionService.abort) is recorded with its end: one per login started, as the
 * login rate bounds.
 */
export class LoginRefusalAudit extends BoundedRefusalAudit {}
