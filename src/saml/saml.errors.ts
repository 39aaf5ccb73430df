import { OAuthError } from '../protocol/oauth-error.js';

/**
 * The class of a refused SAML Response, for the audit trail: it did not hold (a signature, an audience,
 * a replay, its shape), or it held and named a person below the realm's level of assurance, or without
 * the identity attributes the IdP's profile needs.
 */
export type SamlRejection = 'invalid_saml_response' | 'loa_too_low' | 'invalid_identity_attributes';

/**
 * Why a SAML Response was not accepted. `reason` is fixed wording for the log: never personal data,
 * never document content. `relayState` is set only when this Response was the genuine (verified)
 * answer to a pending request of this realm and IdP, which it has now used up: the login
 * transaction it names is over and its client can be told. Otherwise the pending request, if any,
 * is untouched (a tampered or misdirected Response cannot spoil the honest one that may follow),
 * and the browser gets an error page. (The ACS still ends the login transaction its RelayState names
 * when the browser that started that login posted it: see acs.controller.ts.)
 */
export class SamlRejectedError extends Error {
  override readonly name: string = 'SamlRejectedError';

  constructor(
    readonly reason: string,
    readonly relayState?: string,
    /** The refusal's class, the audit trail's `error` of a login it ends: a code, never the reason's text. */
    readonly error: SamlRejection = 'invalid_saml_response',
  ) {
    super(`SAML response rejected: ${reason}`);
  }
}

/**
 * The Response another post of the same login was accepted with, posted again (the IdP's form posted
 * twice: a double click, a browser's retry) while that post completes the login. Refused as any
 * replay, but it ends nothing: the login is that post's to end (login/acs.controller.ts).
 */
export class SamlRepostError extends SamlRejectedError {
  override readonly name = 'SamlRepostError';
}

/**
 * The IdP answered a pending request of this realm and IdP with a non-Success status (SAML Core
 * §3.2.2.2): the user cancelled, authentication failed, `NoPassive`, `RequestDenied`. The pending
 * request is used up; the client gets `access_denied`.
 */
export class SamlStatusError extends Error {
  override readonly name = 'SamlStatusError';
  /** The status codes as the log may show them (see {@link statusForLog}). */
  readonly statusCode: string;
  readonly subStatus: string | undefined;

  constructor(
    readonly relayState: string,
    statusCode: string,
    subStatus?: string,
  ) {
    super(`SAML IdP answered ${statusForLog(statusCode)}${subStatus ? ` / ${statusForLog(subStatus)}` : ''}`);
    this.statusCode = statusForLog(statusCode);
    this.subStatus = subStatus === undefined ? undefined : statusForLog(subStatus);
  }
}

/**
 * A status code as the log may show it: an error Response is usually unsigned, so its values are
 * whatever the sender wrote. A URN of plain characters (SAML Core §3.2.2.2's, or an IdP's own
 * sub-status, such as a cancel reason an operator needs) is kept; anything else, and anything with a
 * run of six or more digits (a CPR or BSN in disguise), is "another status".
 */
export function statusForLog(code: string): string {
  return /^urn:[A-Za-z0-9:._-]{1,120}$/.test(code) && !/\d{6}/.test(code) ? code : 'another status';
}

/**
 * The worker pool's queue is full (config `saml.maxQueue`), or the pool has closed as the service
 * shuts down: the Response was not looked at and its pending login is untouched, so the person can
 * retry. An OAuth `temporarily_unavailable` (503), so that wherever it surfaces (the ACS, or
 * AuthnRequest signing at /auth) it is a "try again" page.
 */
export class SamlBusyError extends OAuthError {
  override readonly name = 'SamlBusyError';

  constructor(reason = 'SAML worker pool queue full: request shed') {
    super('temporarily_unavailable', reason);
  }
}

/**
 * The IdP is configured but cannot be used now: no good metadata yet, metadata past its validUntil,
 * or no signing certificate inside its validity period (saml/idp-settings-resolver.ts). Fails closed
 * as a "try again later" (503) at /auth: nothing is sent to an IdP whose answer could not be verified.
 */
export class SamlIdpUnavailableError extends OAuthError {
  override readonly name = 'SamlIdpUnavailableError';

  constructor() {
    super('temporarily_unavailable', 'SAML identity provider unavailable: no usable metadata or certificate');
  }
}
