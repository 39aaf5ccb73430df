import { instant, ResponseCheckError } from './response-checks.js';
import type { LogoutRequestData, LogoutResponseData } from './worker/saml-worker.mjs';

/** How old an IdP's logout message may be: it travels through the browser at once (SAML Profiles §4.4.3). */
export const MAX_LOGOUT_MESSAGE_AGE_SECONDS = 300;

/**
 * A verified message refused only for its time (issued in the future, too old, past NotOnOrAfter):
 * one the IdP did send, to this SP, so that a LogoutRequest so refused can still be answered
 * (SingleLogoutService). Issuer and Destination are checked first: a message failing those is never one.
 */
export class LogoutTimeWindowError extends ResponseCheckError {}

export interface LogoutExpectations {
  /** The broker endpoint the message was sent to. */
  endpointUrl: string;
  idpEntityId: string;
  skewSeconds: number;
}

/**
 * The checks a verified logout message gets besides its signature, against the injected clock (pure;
 * reasons are fixed wording):
 * - Issuer: present and the IdP (SAML Profiles §4.4.4.1, §4.4.4.2);
 * - Destination: present and this endpoint (SAML Bindings §3.4.5.2, §3.5.5.2: a signed message names
 *   where it was sent, and the recipient checks it);
 * - IssueInstant: not in the future, not older than {@link MAX_LOGOUT_MESSAGE_AGE_SECONDS};
 * - a LogoutRequest's NotOnOrAfter, when given, not passed (SAML Core §3.7.1).
 * Returns until when its ID must stay recorded against a replay: after that it fails these checks anyway.
 */
export function checkLogoutMessage(message: LogoutRequestData | LogoutResponseData, expected: LogoutExpectations, now: Date): Date {
  const skewMs = expected.skewSeconds * 1000;
  if (message.issuer !== expected.idpEntityId)
    throw new ResponseCheckError(message.issuer ? 'Issuer is not the configured IdP' : 'Issuer missing');
  if (message.destination !== expected.endpointUrl) {
    throw new ResponseCheckError(message.destination ? 'Destination is not this endpoint' : 'Destination missing');
  }
  const issued = instant(message.issueInstant, 'IssueInstant');
  if (issued.getTime() > now.getTime() + skewMs) throw new LogoutTimeWindowError('message issued in the future');
  const tooOld = issued.getTime() + MAX_LOGOUT_MESSAGE_AGE_SECONDS * 1000;
  if (now.getTime() - skewMs >= tooOld) throw new LogoutTimeWindowError('message too old');
  let end = tooOld;
  if (message.kind === 'request' && message.notOnOrAfter !== undefined) {
    const notOnOrAfter = instant(message.notOnOrAfter, 'NotOnOrAfter').getTime();
    if (now.getTime() - skewMs >= notOnOrAfter) throw new LogoutTimeWindowError('LogoutRequest expired (NotOnOrAfter)');
    end = Math.min(end, notOnOrAfter);
  }
  return new Date(end + skewMs);
}
