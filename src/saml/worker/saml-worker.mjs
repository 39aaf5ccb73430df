/**
 * The CPU-bound half of the SAML service provider: XML signature verification, assertion
 * decryption (several ms of CPU per Response, DESIGN.md §1) and AuthnRequest signing. piscina runs these
 * exports on worker threads; with zero workers they are imported and run inline. Plain JavaScript
 * so that the same file loads in a worker from `src/` under jest and from `dist/` in production
 * (scripts/copy-assets.mjs copies it). Nothing here touches the database or the clock: pending
 * requests, replay and every time check stay on the main thread (saml.service.ts), which holds
 * the shared state and the injected Clock.
 */
import nodeSaml from '@node-saml/node-saml';
// node-saml's own signature verifier (not re-exported from its index; the package has no exports map).
import xmlHelpers from '@node-saml/node-saml/lib/xml.js';
import {
  RejectedResponse,
  SUCCESS,
  encryptedAssertion,
  parseXml,
  readAssertion,
  readEnvelope,
  responseSignatures,
  serializeXml,
} from './saml-reader.mjs';
import { hasForbiddenCharacter, hasForbiddenCharacterReference, hasTooManyReferences } from './xml-characters.mjs';
import { limitsLeftBy, shapeProblem } from './xml-shape.mjs';
import { baseOptions } from './node-saml-options.mjs';
import { decryptionKeyObject } from './decryption-key.mjs';
import { refuseUnacceptedContentEncryption } from './content-encryption.mjs';
import { refuseWeakSignatureAlgorithms } from './signature-algorithms.mjs';

export { logoutRequest, logoutResponse, verifyLogoutMessage } from './saml-logout.mjs';

const { SAML } = nodeSaml;

/** Signed AuthnRequest URL for the HTTP-Redirect binding (SAML Bindings §3.4.4.1, RSA-SHA256). */
export async function authnRequestUrl({ settings, requestId, relayState, forceAuthn }) {
  const saml = new SAML({
    ...baseOptions(settings),
    entryPoint: settings.ssoUrl,
    privateKey: settings.spSigningKey,
    signatureAlgorithm: 'sha256',
    generateUniqueId: () => requestId,
    identifierFormat: settings.nameIdFormat ?? null,
    // SAML Core §3.3.2.2.1: ask for the realm's minimum level where the profile has classes for it (OIOSAML 3, DigiD).
    disableRequestedAuthnContext: settings.requestedAuthnContext === undefined,
    authnContext: settings.requestedAuthnContext ? [settings.requestedAuthnContext] : undefined,
    racComparison: 'minimum',
    // SAML Core §3.4.1: the IdP must authenticate the person anew (the client sent OIDC max_age).
    forceAuthn: forceAuthn === true,
  });
  return saml.getAuthorizeUrlAsync(relayState, undefined, {});
}

/**
 * Verifies a Response (the XML already prechecked by the caller: size, DOCTYPE, characters, shape
 * within `xmlLimits`) and returns its envelope and the verified assertion as plain values, or a
 * failure with a log-safe reason.
 */
export async function validateResponse({ settings, xml, xmlLimits, started }) {
  // The deadline runs from here: the pool's wait and this worker's start-up do not count against it.
  started?.postMessage('started');
  started?.close();
  try {
    const root = parseXml(xml).documentElement;
    const envelope = readEnvelope(root);
    refuseWeakSignatureAlgorithms(root);
    // A non-Success Response carries no assertion (SAML Core §3.2.2.2); a signature on it, rare,
    // must still verify. The caller decides what it may mean, using only its InResponseTo binding.
    if (envelope.status.code !== SUCCESS) {
      withVerifiedResponseSignature(xml, root, settings);
      return { ok: true, kind: 'status', envelope };
    }
    if (envelope.assertionCount !== 1 || !envelope.assertionInPlace) {
      throw new RejectedResponse('Response must carry exactly one assertion, directly inside it');
    }
    const acceptAesCbc = settings.acceptAesCbc === true;
    if (envelope.encrypted) refuseUnacceptedContentEncryption(encryptedAssertion(root), acceptAesCbc);
    if (envelope.encrypted && settings.decryptionKey) {
      await precheckDecrypted(root, decryptionKeyObject(settings.decryptionKey), limitsLeftBy(xml, xmlLimits), acceptAesCbc);
    }
    const saml = new SAML(baseOptions(settings));
    const { profile } = await saml.validatePostResponseAsync({ SAMLResponse: base64(withVerifiedResponseSignature(xml, root, settings)) });
    if (!profile || typeof profile.getAssertionXml !== 'function') throw new RejectedResponse('no verified assertion');
    return { ok: true, kind: 'assertion', envelope, assertion: readAssertion(profile.getAssertionXml()) };
  } catch (error) {
    return { ok: false, reason: safeReason(error) };
  }
}

/**
 * The caller's precheck saw an encrypted assertion only as ciphertext, and anyone can encrypt to the
 * SP's published certificate: an assertion of 16,000 elements would cost node-saml seconds of XPath
 * before its signature fails. So the plaintext gets the same checks before node-saml sees it, within
 * what the Response's own shape left of the limits (limitsLeftBy): node-saml works through both. This
 * decrypts a second time (node-saml decrypts again itself): about 1 ms of a login's worker CPU, of
 * which the RSA-OAEP decryption is 0.28 ms with the key parsed once (decryption-key.mjs).
 */
async function precheckDecrypted(root, decryptionKey, xmlLimits, acceptAesCbc) {
  let plaintext;
  try {
    plaintext = await xmlHelpers.decryptXml(serializeXml(encryptedAssertion(root)), decryptionKey);
  } catch {
    throw new RejectedResponse('Invalid EncryptedAssertion content');
  }
  const problem = shapeProblem(plaintext, xmlLimits);
  if (problem) throw new RejectedResponse(`encrypted assertion: ${problem}`);
  if (hasForbiddenCharacter(plaintext) || hasForbiddenCharacterReference(plaintext)) {
    throw new RejectedResponse('assertion holds a character XML forbids');
  }
  if (hasTooManyReferences(plaintext)) throw new RejectedResponse('encrypted assertion: too many entity or character references');
  // The assertion's signature, and any EncryptedData inside it (an EncryptedID, an EncryptedAttribute),
  // judged as the assertion's own encryption is: the Response's checks saw them only as ciphertext.
  const assertion = parseXml(plaintext).documentElement;
  refuseWeakSignatureAlgorithms(assertion);
  refuseUnacceptedContentEncryption(assertion, acceptAesCbc);
}

/**
 * SAML Profiles §4.1.4.3: every signature present is verified, the Response's too, though only the
 * assertion's is required (NemLog-in signs both). It is verified here, with node-saml's own
 * verifier, for Success and error Responses alike, and then removed from what node-saml validates:
 * node-saml then checks only the assertion's signature and decrypts the assertion once (with the
 * Response signature left in, it would decrypt a second time from the verified copy, and merely
 * ignore a Response signature that fails). The envelope fields are read from this same document.
 */
function withVerifiedResponseSignature(xml, root, settings) {
  const signatures = responseSignatures(root);
  if (signatures.length === 0) return xml;
  if (!xmlHelpers.getVerifiedXml(xml, root, settings.idpCertificates)) throw new RejectedResponse('Response signature does not verify');
  for (const signature of signatures) root.removeChild(signature);
  return serializeXml(root.ownerDocument);
}

function base64(xml) {
  return Buffer.from(xml, 'utf8').toString('base64');
}

export default validateResponse;

/**
 * node-saml's messages, kept only when they are one of its fixed wordings (some append values
 * from the document, which must not reach a log); anything else becomes a generic reason.
 */
const KNOWN_FAILURES = [
  'Invalid signature from encrypted assertion',
  'Invalid signature, too many transforms',
  'Invalid signature: multiple assertions',
  'Invalid signature: ID cannot refer to more than one element',
  "Invalid signature: Referenced node does not refer to it's parent element",
  'Invalid signature',
  'Invalid EncryptedAssertion content',
  'Too many signatures found for this element',
  'Only 1 signed references should be present in signature',
  'Cannot obtain assertion from signed data',
  'No decryption key for encrypted SAML response',
  'Unable to process multiple conditions in SAML assertion',
  'Error parsing NotOnOrAfter',
  'Error parsing IssueInstant',
];

function safeReason(error) {
  if (error instanceof RejectedResponse) return error.message;
  const message = error instanceof Error ? error.message : '';
  const known = KNOWN_FAILURES.find((wording) => message.startsWith(wording));
  return known ?? 'signature verification or decryption failed';
}
