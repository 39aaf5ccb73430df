import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { SAML_FIXTURES } from '../../../test/support/saml/saml-fixtures.js';
import { logoutRequest, verifyLogoutMessage } from './saml-worker.mjs';

const PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';
const ASSERTION = 'urn:oasis:names:tc:SAML:2.0:assertion';
const DSIG = 'http://www.w3.org/2000/09/xmldsig#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';

const SETTINGS = {
  spEntityId: 'https://sp.test',
  acsUrl: 'https://sp.test/acs',
  ssoUrl: 'https://idp.test/sso',
  idpCertificates: [SAML_FIXTURES.idpSigningCertificate],
  spSigningKey: SAML_FIXTURES.spSigningKey,
};

const task = (binding: 'redirect' | 'post') => ({
  settings: SETTINGS,
  binding,
  id: '_sp-logout-1',
  issueInstant: '2031-03-14T09:26:53.000Z',
  notOnOrAfter: '2031-03-14T09:36:53.000Z',
  destination: 'https://idp.test/slo/post',
  nameId: {
    value: 'https://data.gov.dk/model/core/eid/person/uuid/5b1f0e0c',
    format: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  },
  sessionIndex: '_session-7',
  relayState: 'relay-state-1',
});

/** The one ds:Signature of `xml`, verified by xml-crypto against `certificate`: whether it holds, and what it signs. */
function verify(xml: string, certificate: string) {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const signatures = doc.getElementsByTagNameNS(DSIG, 'Signature');
  expect(signatures.length).toBe(1);
  const signed = new SignedXml({ publicCert: certificate });
  signed.loadSignature(signatures.item(0)!);
  let valid: boolean;
  try {
    valid = signed.checkSignature(xml);
  } catch {
    valid = false; // xml-crypto 6 throws on a signature or digest that does not hold
  }
  return { valid, references: signed.getReferences(), signature: signatures.item(0)!, root: doc.documentElement! };
}

describe('logoutRequest (our LogoutRequest to the IdP, SAML Core §3.7.1)', () => {
  it('HTTP-POST: a form to the IdP, the XML signed enveloped over the whole LogoutRequest (SAML Bindings §3.5.4), verifiable with the SP certificate', async () => {
    const message = await logoutRequest(task('post'));
    expect(message).toMatchObject({ binding: 'post', action: 'https://idp.test/slo/post' });
    if (message.binding !== 'post') throw new Error('not HTTP-POST');
    expect(Object.keys(message.fields)).toEqual(['SAMLRequest', 'RelayState']);
    expect(message.fields.RelayState).toBe('relay-state-1');
    const xml = Buffer.from(message.fields.SAMLRequest, 'base64').toString('utf8');

    const { valid, references, signature, root } = verify(xml, SAML_FIXTURES.spSigningCertificate);
    expect(valid).toBe(true);
    // The reference is the root element, by its ID, with the enveloped-signature transform.
    expect(references).toHaveLength(1);
    expect(references[0].uri).toBe('#_sp-logout-1');
    expect(references[0].transforms).toContain(ENVELOPED);
    // Schema order (SAML Core §3.2.1): the Signature right after the Issuer.
    expect(signature.parentNode).toBe(root);
    expect((signature.previousSibling as Element).localName).toBe('Issuer');

    expect([root.namespaceURI, root.localName]).toEqual([PROTOCOL, 'LogoutRequest']);
    expect(root.getAttribute('ID')).toBe('_sp-logout-1');
    expect(root.getAttribute('Destination')).toBe('https://idp.test/slo/post');
    expect(root.getAttribute('NotOnOrAfter')).toBe('2031-03-14T09:36:53.000Z');
    expect(root.getElementsByTagNameNS(ASSERTION, 'Issuer').item(0)!.textContent).toBe('https://sp.test');
    const nameId = root.getElementsByTagNameNS(ASSERTION, 'NameID').item(0)!;
    expect(nameId.textContent).toBe('https://data.gov.dk/model/core/eid/person/uuid/5b1f0e0c');
    expect(nameId.getAttribute('Format')).toBe('urn:oasis:names:tc:SAML:2.0:nameid-format:persistent');
    expect(root.getElementsByTagNameNS(PROTOCOL, 'SessionIndex').item(0)!.textContent).toBe('_session-7');
  });

  it('HTTP-POST: does not verify against another certificate, nor once the NameID is changed', async () => {
    const message = await logoutRequest(task('post'));
    if (message.binding !== 'post') throw new Error('not HTTP-POST');
    const xml = Buffer.from(message.fields.SAMLRequest, 'base64').toString('utf8');
    expect(verify(xml, SAML_FIXTURES.idpSigningCertificate).valid).toBe(false);
    expect(verify(xml.replace('uuid/5b1f0e0c', 'uuid/00000000'), SAML_FIXTURES.spSigningCertificate).valid).toBe(false);
  });

  it('HTTP-Redirect, as before: the IdP URL with the deflated request, RelayState and the query signature (§3.4.4.1)', async () => {
    const message = await logoutRequest(task('redirect'));
    if (message.binding !== 'redirect') throw new Error('not HTTP-Redirect');
    const url = new URL(message.url);
    expect(`${url.origin}${url.pathname}`).toBe('https://idp.test/slo/post');
    expect([...url.searchParams.keys()]).toEqual(['SAMLRequest', 'RelayState', 'SigAlg', 'Signature']);
  });
});

describe("verifyLogoutMessage, HTTP-POST (an IdP's LogoutRequest, SAML Bindings §3.5.4)", () => {
  const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
  const unsigned =
    `<samlp:LogoutRequest xmlns:samlp="${PROTOCOL}" xmlns:saml="${ASSERTION}" ID="_idp-logout-1" Version="2.0" ` +
    `IssueInstant="2031-03-14T09:26:53Z" Destination="https://sp.test/acs"><saml:Issuer>https://idp.test</saml:Issuer>` +
    `<saml:NameID>https://data.gov.dk/model/core/eid/person/uuid/5b1f0e0c</saml:NameID><samlp:SessionIndex>_session-7</samlp:SessionIndex></samlp:LogoutRequest>`;

  /** The LogoutRequest signed enveloped by the IdP's key with `signatureAlgorithm` over a `digestAlgorithm` digest. */
  function signedByIdp(signatureAlgorithm: string, digestAlgorithm: string): string {
    const signer = new SignedXml({ privateKey: SAML_FIXTURES.idpSigningKey, signatureAlgorithm, canonicalizationAlgorithm: EXC_C14N });
    signer.addReference({ xpath: '/*', digestAlgorithm, transforms: [ENVELOPED, EXC_C14N] });
    signer.computeSignature(unsigned, { location: { reference: "/*/*[local-name(.)='Issuer']", action: 'after' } });
    return signer.getSignedXml();
  }
  const verifyPost = (xml: string) => verifyLogoutMessage({ settings: SETTINGS, binding: 'post', xml });

  it('takes one signed with RSA-SHA256, and refuses the same signed with RSA-SHA1 or over a SHA-1 digest, though both verify', async () => {
    const sha256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
    await expect(verifyPost(signedByIdp('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', sha256))).resolves.toMatchObject({ ok: true });
    await expect(verifyPost(signedByIdp(`${DSIG}rsa-sha1`, sha256))).resolves.toEqual({
      ok: false,
      reason: 'signed with an algorithm not accepted (RSA with SHA-256 or SHA-512 only)',
    });
    await expect(verifyPost(signedByIdp('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', `${DSIG}sha1`))).resolves.toEqual({
      ok: false,
      reason: 'signed over a digest not accepted (SHA-256 or SHA-512 only)',
    });
  });
});
