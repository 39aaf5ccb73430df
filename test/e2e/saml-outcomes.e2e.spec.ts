import { createSamlHarness, type SamlHarness } from '../support/saml/saml-harness.js';
import { bsnAttributes, citizenAttributes, clinicianAttributes } from '../support/saml/saml-attributes.js';
import { expectRejected, expectStatusError, post, startLogin, validAttributes, type HarnessIdp } from '../support/saml/saml-expect.js';
import type { ResponseOptions } from '../support/saml/test-idp.js';
import { RESPONDER } from '../support/saml/response-xml.js';
import { SAML_FIXTURES } from '../support/saml/saml-fixtures.js';

const STATUS = 'urn:oasis:names:tc:SAML:2.0:status:';

/**
 * Genuine answers that end a login without a Principal: the IdP's non-Success status, a level of
 * assurance below the realm's, attributes the profile needs but did not get. Each uses up the
 * pending request and carries its RelayState, so the client can be told (access_denied).
 */
describe('SAML outcomes: status responses, level of assurance, attribute profiles', () => {
  let h: SamlHarness;

  beforeAll(async () => {
    h = await createSamlHarness({ workers: 0 });
  });
  afterAll(() => h.close());

  /** The genuine response is refused with the RelayState; an honest one to the same request is then too late. */
  async function expectLoginEnded(idp: HarnessIdp, options: ResponseOptions, reason: string | RegExp) {
    const { location, relayState, idp: testIdp } = await startLogin(h, idp);
    const response = await testIdp.respondTo(location, { now: h.clock.now(), ...options });
    await expectRejected(post(h, idp, response.form), reason, relayState);
    const honest = await testIdp.respondTo(location, { now: h.clock.now(), attributes: validAttributes(idp) });
    await expectRejected(post(h, idp, honest.form), 'no pending request');
  }

  describe('non-Success status', () => {
    it.each(['AuthnFailed', 'NoPassive', 'RequestDenied'])(
      'Responder/%s → SamlStatusError with the RelayState; the request is used up',
      async (sub) => {
        const { location, relayState, idp } = await startLogin(h, 'nemlogin');
        const response = await idp.respondTo(location, {
          now: h.clock.now(),
          status: { code: RESPONDER, subCode: `${STATUS}${sub}`, message: 'cancelled' },
          sign: 'none',
        });
        const error = await expectStatusError(post(h, 'nemlogin', response.form));
        expect(error).toMatchObject({ relayState, statusCode: RESPONDER, subStatus: `${STATUS}${sub}` });
        const honest = await idp.respondTo(location, { now: h.clock.now(), attributes: citizenAttributes() });
        await expectRejected(post(h, 'nemlogin', honest.form), 'no pending request');
      },
    );

    it('an unsigned status that is no plain URN, or holds a long run of digits, reaches the log only as "another status"', async () => {
      const { location, relayState, idp } = await startLogin(h, 'nemlogin');
      const response = await idp.respondTo(location, {
        now: h.clock.now(),
        status: { code: RESPONDER, subCode: 'urn:x:CPR-0101011234 injected\nline', message: 'cancelled' },
        sign: 'none',
      });
      const error = await expectStatusError(post(h, 'nemlogin', response.form));
      expect(error).toMatchObject({ relayState, statusCode: RESPONDER, subStatus: 'another status' });
      expect(error.message).not.toContain('0101011234');
    });

    it('an IdP’s own sub-status URN is kept for the operator', async () => {
      const { location, idp } = await startLogin(h, 'nemlogin');
      const own = 'urn:dk:gov:saml:status:UserCancelled';
      const response = await idp.respondTo(location, { now: h.clock.now(), status: { code: RESPONDER, subCode: own }, sign: 'none' });
      expect(await expectStatusError(post(h, 'nemlogin', response.form))).toMatchObject({ statusCode: RESPONDER, subStatus: own });
    });

    it('a status response for no pending request is a SamlRejectedError without RelayState', async () => {
      const { location, idp } = await startLogin(h, 'nemlogin');
      const response = await idp.respondTo(location, {
        now: h.clock.now(),
        status: { code: RESPONDER, subCode: `${STATUS}AuthnFailed` },
        inResponseTo: '_unknown',
      });
      await expectRejected(post(h, 'nemlogin', response.form), 'no pending request');
    });

    it('an unsolicited status response is refused', async () => {
      const { location, idp } = await startLogin(h, 'nemlogin');
      const response = await idp.respondTo(location, { now: h.clock.now(), status: { code: RESPONDER }, inResponseTo: null });
      await expectRejected(post(h, 'nemlogin', response.form), 'unsolicited');
    });

    it('a status response with a signature that does not verify, or from another Issuer, does not end the login', async () => {
      const { location, relayState, idp } = await startLogin(h, 'nemlogin');
      const status = { code: RESPONDER, subCode: `${STATUS}AuthnFailed` };
      const forged = await idp.respondTo(location, {
        now: h.clock.now(),
        status,
        sign: 'response',
        signingKey: SAML_FIXTURES.otherIdpSigningKey,
        signingCertificate: SAML_FIXTURES.otherIdpSigningCertificate,
      });
      await expectRejected(post(h, 'nemlogin', forged.form), 'Response signature does not verify');
      const foreign = await idp.respondTo(location, { now: h.clock.now(), status, sign: 'none', issuer: 'https://idp.test/other-idp' });
      await expectRejected(post(h, 'nemlogin', foreign.form), 'Response Issuer');
      const signed = await idp.respondTo(location, { now: h.clock.now(), status, sign: 'response' });
      await expect(post(h, 'nemlogin', signed.form)).rejects.toMatchObject({ relayState, statusCode: RESPONDER });
    });

    it('a status response with a foreign RelayState or Destination does not end the login', async () => {
      const { location, relayState, idp } = await startLogin(h, 'nemlogin');
      const status = { code: RESPONDER, subCode: `${STATUS}AuthnFailed` };
      const foreign = await idp.respondTo(location, { now: h.clock.now(), status, relayState: 'tx-attacker' });
      await expectRejected(post(h, 'nemlogin', foreign.form), 'RelayState does not match');
      const misdirected = await idp.respondTo(location, { now: h.clock.now(), status, destination: 'https://evil.test/acs' });
      await expectRejected(post(h, 'nemlogin', misdirected.form), 'Destination');
      const honest = await idp.respondTo(location, { now: h.clock.now(), attributes: citizenAttributes() });
      await expect(post(h, 'nemlogin', honest.form)).resolves.toMatchObject({ relayState });
    });
  });

  describe('level of assurance (https://data.gov.dk/concept/core/nsis/loa)', () => {
    it('refuses Low in a realm whose minimum is Substantial', async () => {
      await expectLoginEnded('nemlogin', { attributes: citizenAttributes({ loa: 'Low' }) }, 'below the realm minimum');
    });

    it('refuses an assertion without LoA in a realm with a minimum', async () => {
      await expectLoginEnded('nemlogin', { attributes: citizenAttributes({ loa: null }) }, 'level of assurance missing');
    });

    it('refuses a value NSIS does not define', async () => {
      await expectLoginEnded('nemlogin', { attributes: citizenAttributes({ loa: 'substantial' }) }, 'unknown level of assurance');
    });

    it('accepts no LoA where the realm sets no minimum', async () => {
      const { location, idp } = await startLogin(h, 'ehealth');
      const response = await idp.respondTo(location, { now: h.clock.now(), attributes: clinicianAttributes() });
      await expect(post(h, 'ehealth', response.form)).resolves.toMatchObject({ principal: { kind: 'clinician' } });
    });
  });

  describe('attribute profiles', () => {
    it('oiosaml3-citizen: a missing CPR attribute is a rejection naming the attribute, not a crash', async () => {
      const { 'https://data.gov.dk/model/core/eid/cprNumber': _cpr, ...withoutCpr } = citizenAttributes();
      await expectLoginEnded('nemlogin', { attributes: withoutCpr }, 'missing attribute https://data.gov.dk/model/core/eid/cprNumber');
    });

    it('oiosaml3-citizen: a malformed CPR, a repeated CPR, a transient or missing NameID', async () => {
      await expectLoginEnded('nemlogin', { attributes: citizenAttributes({ cpr: '01017O1234' }) }, 'is not a CPR number');
      await expectLoginEnded(
        'nemlogin',
        { attributes: { ...citizenAttributes(), 'https://data.gov.dk/model/core/eid/cprNumber': ['0101701234', '0202801234'] } },
        'more than one value',
      );
      await expectLoginEnded(
        'nemlogin',
        { attributes: citizenAttributes(), nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient' },
        'transient',
      );
      await expectLoginEnded('nemlogin', { attributes: citizenAttributes(), nameId: null }, 'missing NameID');
    });

    it('dk-clinician: a missing user id; malformed privileges (DTD inside the base64 XML)', async () => {
      const { 'urn:oid:0.9.2342.19200300.100.1.1': _uid, ...withoutUid } = clinicianAttributes();
      await expectLoginEnded('ehealth', { attributes: withoutUid }, 'missing attribute urn:oid:0.9.2342.19200300.100.1.1');
      const evil = Buffer.from(
        '<!DOCTYPE x [<!ENTITY e "e">]><bpp:PrivilegeList xmlns:bpp="http://itst.dk/oiosaml/basic_privilege_profile"/>',
      ).toString('base64');
      await expectLoginEnded(
        'ehealth',
        { attributes: { ...clinicianAttributes(), 'dk:gov:saml:attribute:Privileges_intermediate': evil } },
        'privilege attribute: DTD',
      );
    });

    it('dk-clinician: without CPR and privileges, a clinician with only the user id', async () => {
      const { location, idp } = await startLogin(h, 'ehealth');
      const response = await idp.respondTo(location, {
        now: h.clock.now(),
        attributes: clinicianAttributes({ cpr: null, privileges: null }),
      });
      const login = await post(h, 'ehealth', response.form);
      expect(login.principal).toMatchObject({
        identifiers: [{ system: 'urn:dk:sundhed:ehealth:userid', value: 'CVR:12345678-RID:98765' }],
        organisations: [],
        careTeams: [],
      });
    });

    it('nl-citizen: a BSN failing the eleven-test, or missing', async () => {
      await expectLoginEnded('nl', { attributes: bsnAttributes({ bsn: '111222334' }) }, 'is not a BSN');
      await expectLoginEnded('nl', { attributes: {} }, 'missing attribute urn:nl-eid-gdi:1.0:id:BSN');
    });

    it('generic: the externalId attribute the IdP config names is required, with no NameID in its place', async () => {
      const { location, idp } = await startLogin(h, 'ssl');
      const response = await idp.respondTo(location, {
        now: h.clock.now(),
        attributes: { 'urn:oid:0.9.2342.19200300.100.1.1': 'emp-9', 'urn:oid:2.5.4.3': 'Someone' },
        nameId: 'ssl-user-9',
      });
      await expect(post(h, 'ssl', response.form)).resolves.toMatchObject({
        principal: { externalId: 'emp-9', name: { text: 'Someone' } },
      });
      // Without it, the NameID would be this IdP's user whose attribute reads 'ssl-user-9'.
      const withoutIt = { attributes: { 'urn:oid:2.5.4.3': 'Someone' }, nameId: 'ssl-user-9' };
      await expectLoginEnded('ssl', withoutIt, 'missing attribute urn:oid:0.9.2342.19200300.100.1.1');
    });
  });
});
