import { inflateRawSync } from 'node:zlib';
import { maxBase64Chars, MAX_XML_BYTES, precheckXml, XmlPrecheckError, type XmlLimits } from './xml-prechecks.js';
import type { RedirectQuery } from './worker/saml-worker.mjs';

/** The query parameters of the HTTP-Redirect binding (SAML Bindings §3.4.4.1), each at most once. */
const REDIRECT_PARAMETERS = ['SAMLRequest', 'SAMLResponse', 'RelayState', 'SigAlg', 'Signature'] as const;

/**
 * A logout message sent by HTTP-Redirect, from the raw query string: the values URL-decoded, and the
 * signed octets rebuilt from the raw parameters in the order §3.4.4.1 signs them, since a decoded and
 * re-encoded query would not be the bytes the IdP signed. A repeated parameter, or both SAMLRequest
 * and SAMLResponse, is refused ({@link XmlPrecheckError}, fixed wording).
 */
export function readRedirectQuery(rawQuery: string): RedirectQuery {
  const raw = new Map<string, string>();
  for (const pair of rawQuery.split('&')) {
    const equals = pair.indexOf('=');
    const name = equals === -1 ? pair : pair.slice(0, equals);
    if (!(REDIRECT_PARAMETERS as readonly string[]).includes(name)) continue;
    if (raw.has(name)) throw new XmlPrecheckError(`${name} repeated`);
    raw.set(name, pair);
  }
  const parameter = raw.has('SAMLRequest') ? 'SAMLRequest' : 'SAMLResponse';
  if (raw.has('SAMLRequest') === raw.has('SAMLResponse'))
    throw new XmlPrecheckError('exactly one of SAMLRequest and SAMLResponse expected');
  const value = (name: string) => {
    const pair = raw.get(name);
    if (pair === undefined) return undefined;
    try {
      return decodeURIComponent(pair.slice(name.length + 1).replace(/\+/g, ' '));
    } catch {
      throw new XmlPrecheckError(`${name} is not URL-encoded`);
    }
  };
  return {
    parameter,
    message: value(parameter)!,
    relayState: value('RelayState'),
    sigAlg: value('SigAlg'),
    signature: value('Signature'),
    octets: [parameter, 'RelayState', 'SigAlg'].flatMap((name) => raw.get(name) ?? []).join('&'),
  };
}

/**
 * SAML Bindings §3.4.4.1: base64 of a DEFLATE stream. Inflated with a cap, so a small query cannot
 * expand into a large document (a deflate bomb), then given the checks every message gets.
 */
export function decodeRedirectXml(message: string, limits: XmlLimits, maxBytes = MAX_XML_BYTES): string {
  const compact = message.replace(/[\r\n\t ]/g, '');
  if (compact.length > maxBase64Chars(maxBytes) || compact.length === 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) {
    throw new XmlPrecheckError('message is not base64');
  }
  let bytes: Buffer;
  try {
    bytes = inflateRawSync(Buffer.from(compact, 'base64'), { maxOutputLength: maxBytes });
  } catch {
    throw new XmlPrecheckError('message is not DEFLATE-encoded, or too large');
  }
  let xml: string;
  try {
    xml = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new XmlPrecheckError('message is not UTF-8');
  }
  precheckXml(xml, limits);
  return xml;
}

/**
 * Whether a POSTed SAMLResponse is a LogoutResponse rather than a login's Response: its root
 * element's local name, read from the decoded text without parsing. Anything undecodable is left to
 * the login's checks, which refuse it.
 */
export function isLogoutResponse(samlResponse: unknown): boolean {
  if (typeof samlResponse !== 'string' || samlResponse.length > maxBase64Chars(MAX_XML_BYTES)) return false;
  const text = Buffer.from(samlResponse, 'base64').subarray(0, 1024).toString('utf8');
  return /^\uFEFF?\s*(<\?xml[^>]*\?>\s*)?<(?:[A-Za-z_][\w.-]*:)?LogoutResponse[\s/>]/.test(text);
}
