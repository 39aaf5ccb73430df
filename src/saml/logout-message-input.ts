import { decodeRedirectXml, readRedirectQuery } from './logout-bindings.js';
import { SamlRejectedError } from './saml.errors.js';
import { decodeBase64Xml, logoutXmlLimits, MAX_LOGOUT_XML_BYTES, XmlPrecheckError, type XmlLimits } from './xml-prechecks.js';
import type { RedirectQuery } from './worker/saml-worker.mjs';

/** A logout message as it reached the broker endpoint: the raw query (HTTP-Redirect) or the form (HTTP-POST). */
export type LogoutMessageInput = { binding: 'redirect'; rawQuery: string } | { binding: 'post'; form: Record<string, unknown> };

/** A logout message's text, and what carried it. */
export interface DecodedLogoutMessage {
  xml: string;
  /** HTTP-Redirect: the query, with the octets its signature covers. */
  query?: RedirectQuery;
  relayState?: string;
  parameter: RedirectQuery['parameter'];
}

/**
 * SAML Bindings §3.4.3 and §3.5.3: RelayState MUST NOT exceed 80 bytes, and a response MUST echo it exactly. A
 * LogoutResponse's RelayState is ours coming back (login/single-logout.service.ts), so a longer one is
 * refused before anything else is read, as one that breaks the binding. An IdP's LogoutRequest that
 * breaks that MUST still ends the person's sessions (the IdP has logged them out whatever we answer;
 * refusing it would keep here a session the national IdP ended), and its RelayState is echoed
 * exactly: up to 1 KB, which bounds what a signed answer repeats.
 */
const MAX_RELAY_STATE_BYTES = { SAMLResponse: 80, SAMLRequest: 1024 } as const;

/**
 * The message's text, checked against the logout profile of limits (xml-prechecks.ts
 * LOGOUT_XML_LIMITS: far tighter than a login Response's, since a logout message needs no pending
 * login to reach the worker), and which parameter carried it. {@link SamlRejectedError} (fixed
 * wording) for anything that breaks the binding.
 */
export function decodeLogoutMessage(input: LogoutMessageInput, xmlLimits: XmlLimits): DecodedLogoutMessage {
  const limits = logoutXmlLimits(xmlLimits);
  try {
    if (input.binding === 'redirect') {
      const query = readRedirectQuery(input.rawQuery);
      checkRelayState(query.relayState, query.parameter);
      const xml = decodeRedirectXml(query.message, limits, MAX_LOGOUT_XML_BYTES);
      return { xml, query, relayState: query.relayState, parameter: query.parameter };
    }
    const [request, response] = [single(input.form, 'SAMLRequest'), single(input.form, 'SAMLResponse')];
    if ((request === undefined) === (response === undefined))
      throw new XmlPrecheckError('exactly one of SAMLRequest and SAMLResponse expected');
    const relayState = single(input.form, 'RelayState');
    const parameter = request === undefined ? 'SAMLResponse' : 'SAMLRequest';
    checkRelayState(relayState, parameter);
    const xml = decodeBase64Xml((request ?? response)!, MAX_LOGOUT_XML_BYTES, limits);
    return { xml, relayState, parameter };
  } catch (error) {
    throw new SamlRejectedError(error instanceof XmlPrecheckError ? error.message : 'undecodable message');
  }
}

/** A form value given once; a repeated one is refused (SAML Bindings §3.5.4). */
function single(form: Record<string, unknown>, name: string): string | undefined {
  const value = Object.hasOwn(form, name) ? form[name] : undefined;
  if (Array.isArray(value)) throw new XmlPrecheckError(`${name} repeated`);
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new XmlPrecheckError(`${name} empty`);
  return value;
}

function checkRelayState(relayState: string | undefined, parameter: RedirectQuery['parameter']): void {
  if (relayState !== undefined && Buffer.byteLength(relayState, 'utf8') > MAX_RELAY_STATE_BYTES[parameter])
    throw new XmlPrecheckError('RelayState too long');
}
