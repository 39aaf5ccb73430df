import { SamlRepostError } from '../../src/saml/saml.errors.js';
import { createSamlHarness, type SamlHarness } from '../support/saml/saml-harness.js';
import { citizenAttributes } from '../support/saml/saml-attributes.js';
import { expectRejected, expectRejectedKeepingRequest, post, startLogin } from '../support/saml/saml-expect.js';
import { setResponseAttribute } from '../support/saml/tamper.js';

/**
 * A correctly signed response that answers the wrong request, at the wrong place, for the wrong
 * audience, or a second time. Pending requests and used assertion IDs live in the database.
 */
describe('SAML response rejections: binding to the request, addressing, replay', () => {
  let h: SamlHarness;
  const pendingCount = async (requestId: string) =>
    (await h.db.query('SELECT 1 FROM saml_pending_requests WHERE request_id = $1', [requestId])).rows.length;

  beforeAll(async () => {
    h = await createSamlHarness({ workers: 0 });
  });
  afterAll(() => h.close());

  describe('InResponseTo and RelayState', () => {
    it('refuses an InResponseTo that names no pending request', async () => {
      const { location, idp } = await startLogin(h, 'nemlogin');
      const response = await idp.respondTo(location, { now: h.clock.now(), attributes: citizenAttributes(), inResponseTo: '_never-sent' });
      await expectRejected(post(h, 'nemlogin', response.form), 'no pending request');
    });

    it('refuses an unsolicited response (no InResponseTo anywhere)', async () => {
      await expectRejectedKeepingRequest(h, 'nemlogin', { inResponseTo: null, subjectInResponseTo: null }, 'unsolicited');
    });

    it('refuses a SubjectConfirmationData InResponseTo that differs from the Response', async () => {
      await expectRejectedKeepingRequest(h, 'nemlogin', { subjectInResponseTo: '_another-request' }, 'InResponseTo does not match');
    });

    it("refuses a response to another realm's request, which stays pending for its own realm", async () => {
      const nl = await startLogin(h, 'nl');
      const request = await h.idps.nl.parseAuthnRequest(nl.location);
      // A nemlogin IdP response naming the nl realm's request ID, with its RelayState.
      const { location, idp } = await startLogin(h, 'nemlogin');
      const wrong = await idp.respondTo(location, {
        now: h.clock.now(),
        attributes: citizenAttributes(),
        inResponseTo: request.id,
        relayState: nl.relayState,
      });
      await expectRejected(post(h, 'nemlogin', wrong.form), 'no pending request of this realm and IdP');
      expect(await pendingCount(request.id)).toBe(1);
      const honest = await h.idps.nl.respondTo(nl.location, {
        now: h.clock.now(),
        attributes: { 'urn:nl-eid-gdi:1.0:id:BSN': '123456782' },
      });
      await expect(post(h, 'nl', honest.form)).resolves.toMatchObject({ relayState: nl.relayState });
    });

    it('refuses a RelayState other than the one the request was sent with; the request stays pending', async () => {
      await expectRejectedKeepingRequest(h, 'nemlogin', { relayState: 'tx-someone-else' }, 'RelayState does not match');
    });

    it('refuses a request whose pending record has expired', async () => {
      const { location, idp } = await startLogin(h, 'nemlogin');
      h.clock.advance(1801);
      const response = await idp.respondTo(location, { now: h.clock.now(), attributes: citizenAttributes() });
      await expectRejected(post(h, 'nemlogin', response.form), 'no pending request');
    });
  });

  describe('replay', () => {
    it('accepts a response once: the same response posted again is refused', async () => {
      const { location, idp } = await startLogin(h, 'nemlogin');
      const response = await idp.respondTo(location, { now: h.clock.now(), attributes: citizenAttributes() });
      await post(h, 'nemlogin', response.form);
      // The same Response for the same login: a repost, which the ACS lets end nothing (saml-double-post.e2e.spec.ts).
      expect(await expectRejected(post(h, 'nemlogin', response.form), 'no pending request')).toBeInstanceOf(SamlRepostError);
    });

    it('refuses an assertion ID seen before, even answering another pending request; that request stays pending', async () => {
      const first = await startLogin(h, 'nemlogin');
      const used = await first.idp.respondTo(first.location, { now: h.clock.now(), attributes: citizenAttributes() });
      await post(h, 'nemlogin', used.form);
      const second = await startLogin(h, 'nemlogin');
      const replayed = await second.idp.respondTo(second.location, {
        now: h.clock.now(),
        attributes: citizenAttributes(),
        assertionId: used.assertionId,
      });
      // Accepted for another login: a replay, not a repost of this login's Response.
      expect(await expectRejected(post(h, 'nemlogin', replayed.form), 'assertion ID already used')).not.toBeInstanceOf(SamlRepostError);
      expect(await pendingCount(replayed.request.id)).toBe(1);
      const { rows } = await h.db.query<{ expires_at: Date }>('SELECT expires_at FROM saml_used_assertions WHERE assertion_id = $1', [
        used.assertionId,
      ]);
      // Kept until the assertion would fail the time checks anyway: NotOnOrAfter (+300 s) plus the skew.
      expect(rows[0].expires_at.getTime()).toBe(h.clock.now().getTime() + 360_000);
    });

    it('two instances racing with one response: exactly one accepts it', async () => {
      const other = await h.secondInstance();
      const { location, idp } = await startLogin(h, 'nemlogin');
      const response = await idp.respondTo(location, { now: h.clock.now(), attributes: citizenAttributes() });
      const results = await Promise.allSettled([
        post(h, 'nemlogin', response.form),
        other.consume(h.realm('nemlogin'), 'nemlog-in', response.form),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    });
  });

  describe('Destination, Recipient, Audience, Issuer, Conditions', () => {
    it('refuses a missing Response Destination', async () => {
      await expectRejectedKeepingRequest(h, 'nemlogin', { destination: null }, 'Destination missing');
    });

    it('refuses a Destination other than this ACS', async () => {
      await expectRejectedKeepingRequest(
        h,
        'nemlogin',
        { destination: 'https://federation.test/realms/other/broker/other-idp/endpoint' },
        'Destination is not this ACS',
      );
    });

    it('refuses a Destination changed in an unsigned envelope', async () => {
      const tamper = setResponseAttribute('Destination', 'https://evil.test/acs');
      await expectRejectedKeepingRequest(h, 'nemlogin', { sign: 'assertion', tamper }, 'Destination is not this ACS');
    });

    it('refuses a SubjectConfirmationData Recipient other than this ACS, or none', async () => {
      await expectRejectedKeepingRequest(
        h,
        'nemlogin',
        { recipient: 'https://federation.test/realms/nl/broker/digid/endpoint' },
        'Recipient is not this ACS',
      );
      await expectRejectedKeepingRequest(h, 'nemlogin', { recipient: null }, 'Recipient is not this ACS');
    });

    it('refuses an assertion without Conditions', async () => {
      await expectRejectedKeepingRequest(h, 'nemlogin', { omitConditions: true }, /Conditions missing|AudienceRestriction/);
    });

    it('refuses an Audience other than this SP, and a Conditions without AudienceRestriction', async () => {
      await expectRejectedKeepingRequest(h, 'nemlogin', { audiences: ['https://federation.test/realms/nl'] }, /[Aa]udience/);
      await expectRejectedKeepingRequest(h, 'nemlogin', { audiences: null }, 'AudienceRestriction');
    });

    it('refuses an assertion Issuer other than the configured IdP entity ID', async () => {
      await expectRejectedKeepingRequest(h, 'nemlogin', { assertionIssuer: 'https://idp.test/other-idp' }, 'Assertion Issuer');
    });

    it('refuses a Response Issuer other than the configured IdP, and a signed Response without one', async () => {
      await expectRejectedKeepingRequest(h, 'nemlogin', { issuer: 'https://idp.test/other-idp' }, 'Response Issuer');
      await expectRejectedKeepingRequest(h, 'nemlogin', { issuer: null }, 'Response Issuer');
    });

    it('accepts an unsigned, unencrypted Response without Issuer (SAML Profiles §4.1.4.2)', async () => {
      const { location, idp } = await startLogin(h, 'nemlogin');
      const response = await idp.respondTo(location, {
        now: h.clock.now(),
        attributes: citizenAttributes(),
        issuer: null,
        sign: 'assertion',
      });
      await expect(post(h, 'nemlogin', response.form)).resolves.toBeDefined();
    });
  });
});
