/**
 * SAML single logout in the worker pool (SAML Profiles §4.4): verifying an IdP's LogoutRequest or
 * LogoutResponse with the IdP's certificates only, and signing this SP's LogoutRequest and
 * LogoutResponse, with node-saml's verifiers, XML builder and signers. As in saml-worker.mjs, no
 * clock and no database here: the caller passes every instant and makes every check that needs state.
 */
import { stringify } from 'node:querystring';
import { deflateRawSync } from 'node:zlib';
import nodeSaml from '@node-saml/node-saml';
import xmlHelpers from '@node-saml/node-saml/lib/xml.js';
import postSigning from '@node-saml/node-saml/lib/saml-post-signing.js';
import { readLogoutMessage } from './logout-reader.mjs';
import { baseOptions } from './node-saml-options.mjs';
import { ASSERTION_NS, PROTOCOL_NS, RejectedResponse, parseXml } from './saml-reader.mjs';
import { refuseWeakSignatureAlgorithms } from './signature-algorithms.mjs';

const { SAML } = nodeSaml;

/** SAML Bindings §3.4.4.1 signature algorithms accepted on a query string: RSA with SHA-2 (no SHA-1). */
const QUERY_SIGNATURE_ALGORITHMS = new Set([
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
]);

/**
 * Verifies a logout message and reads it; `xml` was prechecked by the caller (size, DOCTYPE,
 * characters, shape; inflated first for HTTP-Redirect).
 *
 * - HTTP-Redirect (SAML Bindings §3.4.4.1): the signature over the query string, verified by
 *   node-saml's redirect-binding verifier over `octets` as received (the caller rebuilt them in the
 *   spec's order from the raw query). Unsigned is refused here: node-saml would let it through.
 *   (validateRedirectAsync, which wraps that verifier, refuses a non-Success LogoutResponse before
 *   checking its signature, and a verified PartialLogout still tells which logout it answers.)
 * - HTTP-POST (§3.5.4): the enveloped signature over the root element, by node-saml's getVerifiedXml,
 *   and the message read only from the bytes that signature covers.
 */
export async function verifyLogoutMessage({ settings, binding, xml, query, started }) {
  started?.postMessage('started');
  started?.close();
  try {
    if (binding === 'redirect') {
      if (!query.signature || !query.sigAlg) throw new RejectedResponse('unsigned message (HTTP-Redirect without Signature)');
      if (!QUERY_SIGNATURE_ALGORITHMS.has(query.sigAlg)) throw new RejectedResponse('signature algorithm refused');
      const container = { [query.parameter]: query.message, SigAlg: query.sigAlg, Signature: query.signature };
      if (query.relayState !== undefined) container.RelayState = query.relayState;
      const saml = new SAML(baseOptions(settings));
      await saml.hasValidSignatureForRedirect(container, query.octets);
      return { ok: true, message: readLogoutMessage(parseXml(xml).documentElement) };
    }
    const root = parseXml(xml).documentElement;
    refuseWeakSignatureAlgorithms(root);
    const signed = xmlHelpers.getVerifiedXml(xml, root, settings.idpCertificates);
    if (!signed) throw new RejectedResponse('signature missing or does not verify');
    return { ok: true, message: readLogoutMessage(parseXml(signed).documentElement) };
  } catch (error) {
    return { ok: false, reason: error instanceof RejectedResponse ? error.message : 'signature verification failed' };
  }
}

/** A signed LogoutResponse (SAML Core §3.7.2) to the IdP's SingleLogoutService, in `binding`. */
export async function logoutResponse({ settings, binding, id, issueInstant, destination, inResponseTo, status, relayState }) {
  const statusCode = { '@Value': status.code, ...(status.subCode ? { 'samlp:StatusCode': { '@Value': status.subCode } } : {}) };
  const xml = message('samlp:LogoutResponse', { id, issueInstant, destination, inResponseTo }, settings, {
    'samlp:Status': { 'samlp:StatusCode': statusCode },
  });
  return binding === 'redirect'
    ? { binding, url: redirectUrl(settings, destination, 'SAMLResponse', xml, relayState) }
    : { binding, action: destination, fields: postFields(settings, 'LogoutResponse', 'SAMLResponse', xml, relayState) };
}

/**
 * A signed LogoutRequest (SAML Core §3.7.1) naming the login's NameID and SessionIndex, to the IdP's
 * SingleLogoutService in `binding`: HTTP-Redirect, signed over the query string (SAML Bindings
 * §3.4.4.1); or HTTP-POST, for an IdP that offers only that, the XML signed (enveloped) and carried
 * by a self-posting form (§3.5.4), exactly as the LogoutResponse is.
 */
export async function logoutRequest({ settings, binding, id, issueInstant, notOnOrAfter, destination, nameId, sessionIndex, relayState }) {
  const nameIdElement = withoutUndefined({
    '@Format': nameId.format,
    '@NameQualifier': nameId.nameQualifier,
    '@SPNameQualifier': nameId.spNameQualifier,
    '#text': nameId.value,
  });
  const xml = message('samlp:LogoutRequest', { id, issueInstant, destination, notOnOrAfter }, settings, {
    'saml:NameID': nameIdElement,
    ...(sessionIndex ? { 'samlp:SessionIndex': { '#text': sessionIndex } } : {}),
  });
  return binding === 'post'
    ? { binding, action: destination, fields: postFields(settings, 'LogoutRequest', 'SAMLRequest', xml, relayState) }
    : { binding: 'redirect', url: redirectUrl(settings, destination, 'SAMLRequest', xml, relayState) };
}

/** The message, built (and escaped) by node-saml's XML builder; Issuer first, as the schema orders it. */
function message(element, { id, issueInstant, destination, inResponseTo, notOnOrAfter }, settings, body) {
  const root = withoutUndefined({
    '@xmlns:samlp': PROTOCOL_NS,
    '@xmlns:saml': ASSERTION_NS,
    '@ID': id,
    '@Version': '2.0',
    '@IssueInstant': issueInstant,
    '@Destination': destination,
    '@InResponseTo': inResponseTo,
    '@NotOnOrAfter': notOnOrAfter,
  });
  return xmlHelpers.buildXmlBuilderObject({ [element]: { ...root, 'saml:Issuer': { '#text': settings.spEntityId }, ...body } }, false);
}

/**
 * SAML Bindings §3.4.4.1: DEFLATE, base64, then RSA-SHA256 over `SAMLRequest|SAMLResponse=…&RelayState=…&SigAlg=…`
 * by node-saml's signer. The URL carries the parameters in exactly the encoding that was signed.
 */
function redirectUrl(settings, destination, parameter, xml, relayState) {
  const saml = new SAML({ ...baseOptions(settings), privateKey: settings.spSigningKey, signatureAlgorithm: 'sha256' });
  const query = { [parameter]: deflateRawSync(Buffer.from(xml, 'utf8')).toString('base64') };
  if (relayState) query.RelayState = relayState;
  saml.signRequest(query);
  const ordered = {
    [parameter]: query[parameter],
    ...(relayState ? { RelayState: relayState } : {}),
    SigAlg: query.SigAlg,
    Signature: query.Signature,
  };
  return `${destination}${destination.includes('?') ? '&' : '?'}${stringify(ordered)}`;
}

/** SAML Bindings §3.5.4: the XML signed (enveloped, after the Issuer) by node-saml's signer, then base64. */
function postFields(settings, localName, parameter, xml, relayState) {
  const signed = postSigning.signSamlPost(xml, `/*[local-name(.)="${localName}" and namespace-uri(.)="${PROTOCOL_NS}"]`, {
    privateKey: settings.spSigningKey,
    signatureAlgorithm: 'sha256',
    digestAlgorithm: 'sha256',
  });
  return { [parameter]: Buffer.from(signed, 'utf8').toString('base64'), ...(relayState ? { RelayState: relayState } : {}) };
}

function withoutUndefined(object) {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined && value !== null));
}
