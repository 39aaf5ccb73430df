import { MAX_XML_BYTES, maxBase64Chars } from '../../src/saml/xml-prechecks.js';
import { SAML_FIXTURES } from '../support/saml/saml-fixtures.js';
import { createSamlHarness, type SamlHarness } from '../support/saml/saml-harness.js';
import { citizenAttributes } from '../support/saml/saml-attributes.js';
import { expectRejected, expectRejectedKeepingRequest, post, startLogin } from '../support/saml/saml-expect.js';
import { TestIdp } from '../support/saml/test-idp.js';
import {
  addDoctype,
  addUnsignedAssertion,
  compose,
  duplicateAssertion,
  injectNameIdComment,
  modifyAttribute,
  moveSignedAssertionToExtensions,
  oversize,
  setResponseAttribute,
  stripSignatures,
  wrapSignedAssertionInAdvice,
} from '../support/saml/tamper.js';

const CPR = 'https://data.gov.dk/model/core/eid/cprNumber';
const FORGED_CPR = { name: CPR, value: '3112999999' };

/**
 * What is refused before or during signature verification; inline validation (workers: 0). Each
 * case also shows the pending request survives the bad response: an honest one then succeeds.
 */
describe('SAML response rejections: encoding, XML and signatures', () => {
  let h: SamlHarness;

  beforeAll(async () => {
    h = await createSamlHarness({ workers: 0 });
  });
  afterAll(() => h.close());

  describe('form fields and size, before any parsing', () => {
    it('refuses a missing SAMLResponse, a repeated one, and a missing RelayState', async () => {
      const { location, idp } = await startLogin(h, 'nemlogin');
      const { form } = await idp.respondTo(location, { now: h.clock.now(), attributes: citizenAttributes() });
      await expectRejected(post(h, 'nemlogin', { RelayState: form.RelayState }), 'SAMLResponse missing');
      await expectRejected(post(h, 'nemlogin', { ...form, SAMLResponse: [form.SAMLResponse, form.SAMLResponse] }), 'SAMLResponse repeated');
      await expectRejected(post(h, 'nemlogin', { SAMLResponse: form.SAMLResponse }), 'RelayState missing');
      await expect(post(h, 'nemlogin', form)).resolves.toBeDefined();
    });

    it('refuses a RelayState over 80 bytes (SAML Bindings §3.5.3)', async () => {
      await expectRejected(post(h, 'nemlogin', { SAMLResponse: 'PHg+', RelayState: 'x'.repeat(81) }), 'RelayState too long');
    });

    it('refuses a base64 SAMLResponse over the cap without decoding it', async () => {
      await expectRejected(post(h, 'nemlogin', { SAMLResponse: 'A'.repeat(300_000), RelayState: 'tx' }), 'too large');
    });

    it('refuses decoded XML over 200 KB whose base64 fits the base64 cap', async () => {
      const { location, idp } = await startLogin(h, 'nemlogin');
      const { form } = await idp.respondTo(location, { now: h.clock.now(), attributes: citizenAttributes(), tamper: oversize(202_000) });
      expect(form.SAMLResponse.length).toBeLessThanOrEqual(maxBase64Chars(MAX_XML_BYTES));
      await expectRejected(post(h, 'nemlogin', form), 'too large');
    });

    it('accepts a response just under the cap', async () => {
      const { location, idp } = await startLogin(h, 'nemlogin');
      const { form } = await idp.respondTo(location, {
        now: h.clock.now(),
        attributes: citizenAttributes(),
        sign: 'assertion',
        tamper: oversize(199_000),
      });
      await expect(post(h, 'nemlogin', form)).resolves.toBeDefined();
    });

    it('refuses a SAMLResponse that is not base64, or not UTF-8', async () => {
      await expectRejected(post(h, 'nemlogin', { SAMLResponse: '<samlp:Response/>', RelayState: 'tx' }), 'not base64');
      await expectRejected(
        post(h, 'nemlogin', { SAMLResponse: Buffer.from([0xff, 0xfe, 0x3c, 0x00]).toString('base64'), RelayState: 'tx' }),
        'not UTF-8',
      );
    });

    it('refuses a DOCTYPE with an entity declaration', async () => {
      await expectRejectedKeepingRequest(h, 'nemlogin', { tamper: addDoctype() }, 'DTD or entity');
    });

    it('refuses a comment injected into the NameID (CVE-2017-11428 class), though the signature still verifies', async () => {
      await expectRejectedKeepingRequest(h, 'nemlogin', { sign: 'assertion', tamper: injectNameIdComment() }, 'XML comment');
    });

    it('refuses an unknown IdP alias', async () => {
      await expectRejected(
        h.saml.consume(h.realm('nemlogin'), 'no-such-idp', { SAMLResponse: 'PHg+', RelayState: 'tx' }),
        'unknown identity provider',
      );
    });
  });

  describe('signatures', () => {
    it('refuses an unsigned response', async () => {
      await expectRejectedKeepingRequest(h, 'nemlogin', { sign: 'none' }, 'Invalid signature');
    });

    it('refuses a response whose signature covers only the Response, not the assertion (wantAssertionsSigned)', async () => {
      await expectRejectedKeepingRequest(h, 'nemlogin', { sign: 'response' }, 'Invalid signature');
    });

    it('refuses an assertion whose signature was stripped', async () => {
      await expectRejectedKeepingRequest(h, 'nemlogin', { sign: 'assertion', tamper: stripSignatures('assertion') }, 'Invalid signature');
    });

    it('refuses an attribute modified after signing', async () => {
      await expectRejectedKeepingRequest(
        h,
        'nemlogin',
        { sign: 'assertion', tamper: modifyAttribute(CPR, FORGED_CPR.value) },
        'Invalid signature',
      );
    });

    it('refuses a Response signature that no longer verifies, even when the assertion signature does', async () => {
      const tamper = setResponseAttribute('IssueInstant', '2031-03-14T09:26:54Z');
      await expectRejectedKeepingRequest(h, 'nemlogin', { sign: 'both', tamper }, 'Response signature does not verify');
    });

    it("refuses an assertion signed by another realm's IdP key", async () => {
      const { otherIdpSigningKey, otherIdpSigningCertificate } = SAML_FIXTURES;
      await expectRejectedKeepingRequest(
        h,
        'nemlogin',
        { sign: 'assertion', signingKey: otherIdpSigningKey, signingCertificate: otherIdpSigningCertificate },
        'Invalid signature',
      );
    });

    it("the other realm, trusting only its own IdP's certificate, refuses this IdP's signature", async () => {
      const { idpSigningKey, idpSigningCertificate } = SAML_FIXTURES;
      await expectRejectedKeepingRequest(
        h,
        'other',
        { sign: 'assertion', signingKey: idpSigningKey, signingCertificate: idpSigningCertificate },
        'Invalid signature',
      );
    });

    it('refuses an assertion the IdP signed that is not of SAML 2.0 (SAML Core §2.3.3)', async () => {
      const version11 = (xml: string) => xml.replace(/(<saml:Assertion\b[^>]*) Version="2\.0"/, '$1 Version="1.1"');
      expect(version11('<saml:Assertion ID="a" Version="2.0">')).toBe('<saml:Assertion ID="a" Version="1.1">');
      await expectRejectedKeepingRequest(h, 'nemlogin', { sign: 'assertion', beforeSigning: version11 }, 'not a SAML 2.0 Assertion');
    });

    it('refuses an encrypted assertion in a realm without a decryption key', async () => {
      await expectRejectedKeepingRequest(h, 'ehealth', { encrypt: true }, 'No decryption key');
    });
  });

  describe('content encryption: AES-GCM, and AES-CBC only from an IdP configured for it', () => {
    const AES256_CBC = 'http://www.w3.org/2001/04/xmlenc#aes256-cbc';
    const AES128_CBC = 'http://www.w3.org/2001/04/xmlenc#aes128-cbc';

    it('refuses an assertion encrypted with AES-CBC, keeping the pending request for an honest answer', async () => {
      const nemlogin = h.idps.nemlogin;
      const cbc = await TestIdp.create({
        realmIssuer: 'https://federation.test/realms/nemlogin',
        alias: nemlogin.alias,
        entityId: nemlogin.entityId,
        dataEncryptionAlgorithm: AES256_CBC,
      });
      const { location, relayState } = await startLogin(h, 'nemlogin');
      const refused = await cbc.respondTo(location, { now: h.clock.now(), attributes: citizenAttributes(), encrypt: true });
      expect(refused.xml).toContain(`Algorithm="${AES256_CBC}"`);
      await expectRejected(post(h, 'nemlogin', refused.form), 'AES-CBC');
      const honest = await nemlogin.respondTo(location, { now: h.clock.now(), attributes: citizenAttributes(), encrypt: true });
      await expect(post(h, 'nemlogin', honest.form)).resolves.toMatchObject({ relayState });
    });

    it('accepts it from an IdP whose config says acceptAesCbc, and its SP metadata offers CBC only there', async () => {
      const other = h.idps.other;
      const cbc = await TestIdp.create({
        realmIssuer: 'https://federation.test/realms/other',
        alias: other.alias,
        signingKey: SAML_FIXTURES.otherIdpSigningKey,
        signingCertificate: SAML_FIXTURES.otherIdpSigningCertificate,
        dataEncryptionAlgorithm: AES128_CBC,
      });
      const { location, relayState } = await startLogin(h, 'other');
      const { form } = await cbc.respondTo(location, { now: h.clock.now(), attributes: citizenAttributes(), encrypt: true });
      await expect(post(h, 'other', form)).resolves.toMatchObject({ relayState, principal: { kind: 'citizen' } });

      const offered = (realm: string, alias: string) =>
        [...h.saml.metadata(h.realm(realm), alias).matchAll(/EncryptionMethod Algorithm="([^"]+)"/g)].map((m) => m[1]);
      expect(offered('nemlogin', 'nemlog-in')).toEqual([
        'http://www.w3.org/2009/xmlenc11#aes256-gcm',
        'http://www.w3.org/2009/xmlenc11#aes128-gcm',
        'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p', // the one key transport accepted
      ]);
      expect(offered('other', 'other-idp')).toEqual(expect.arrayContaining([AES256_CBC, AES128_CBC]));
    });
  });

  describe('algorithms: RSA with SHA-2 signatures, RSA-OAEP key transport', () => {
    const RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
    const RSA_1_5 = 'http://www.w3.org/2001/04/xmlenc#rsa-1_5';
    /** The nemlogin IdP, key and all, signing or encrypting with other algorithms. */
    const nemloginWith = (algorithms: { signatureAlgorithm?: string; keyEncryptionAlgorithm?: string }) =>
      TestIdp.create({
        realmIssuer: 'https://federation.test/realms/nemlogin',
        alias: h.idps.nemlogin.alias,
        entityId: h.idps.nemlogin.entityId,
        ...algorithms,
      });

    /** Refused with `reason`, and the login's pending request still takes the honest Response. */
    async function expectRefusedThenHonest(idp: TestIdp, options: { sign: 'both' | 'assertion' }, reason: string, seen: string) {
      const { location, relayState } = await startLogin(h, 'nemlogin');
      const refused = await idp.respondTo(location, { now: h.clock.now(), attributes: citizenAttributes(), encrypt: true, ...options });
      expect(refused.xml).toContain(seen);
      await expectRejected(post(h, 'nemlogin', refused.form), reason);
      const honest = await h.idps.nemlogin.respondTo(location, { now: h.clock.now(), attributes: citizenAttributes(), encrypt: true });
      await expect(post(h, 'nemlogin', honest.form)).resolves.toMatchObject({ relayState });
    }

    it('refuses a Response signed with RSA-SHA1 over a SHA-1 digest, though the signature verifies', async () => {
      const sha1 = await nemloginWith({ signatureAlgorithm: RSA_SHA1 });
      await expectRefusedThenHonest(sha1, { sign: 'both' }, 'signed with an algorithm not accepted', `Algorithm="${RSA_SHA1}"`);
    });

    it('refuses an assertion signed with RSA-SHA1 inside its encryption, seen only once decrypted', async () => {
      const sha1 = await nemloginWith({ signatureAlgorithm: RSA_SHA1 });
      await expectRefusedThenHonest(sha1, { sign: 'assertion' }, 'signed with an algorithm not accepted', 'EncryptedAssertion');
    });

    it('refuses an assertion whose key is transported with RSA PKCS#1 v1.5, before decrypting it', async () => {
      const pkcs1 = await nemloginWith({ keyEncryptionAlgorithm: RSA_1_5 });
      await expectRefusedThenHonest(pkcs1, { sign: 'both' }, 'key transported with an algorithm not accepted', `Algorithm="${RSA_1_5}"`);
    });
  });

  describe('signature wrapping: exactly one assertion, directly in the Response', () => {
    it('refuses the signed assertion moved into Extensions with a forged one in its place', async () => {
      await expectRejectedKeepingRequest(
        h,
        'nemlogin',
        { sign: 'assertion', tamper: moveSignedAssertionToExtensions(FORGED_CPR) },
        'exactly one assertion',
      );
    });

    it('refuses a forged assertion carrying the signed one in its Advice', async () => {
      await expectRejectedKeepingRequest(
        h,
        'nemlogin',
        { sign: 'assertion', tamper: wrapSignedAssertionInAdvice(FORGED_CPR) },
        'exactly one assertion',
      );
    });

    it('refuses a duplicated signed assertion', async () => {
      await expectRejectedKeepingRequest(h, 'nemlogin', { sign: 'assertion', tamper: duplicateAssertion() }, 'exactly one assertion');
    });

    it.each(['before', 'after'] as const)('refuses an unsigned assertion %s the signed one', async (position) => {
      await expectRejectedKeepingRequest(
        h,
        'nemlogin',
        { sign: 'assertion', tamper: addUnsignedAssertion(position, FORGED_CPR) },
        'exactly one assertion',
      );
    });

    it('refuses an unsigned forged assertion that replaced the signed one (signature stripped from the copy)', async () => {
      const tamper = compose(modifyAttribute(CPR, FORGED_CPR.value), stripSignatures());
      await expectRejectedKeepingRequest(h, 'nemlogin', { sign: 'both', tamper }, 'Invalid signature');
    });
  });
});
