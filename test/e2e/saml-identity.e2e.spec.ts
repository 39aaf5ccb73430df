import { createSamlHarness, type SamlHarness } from '../support/saml/saml-harness.js';
import { bsnAttributes, citizenAttributes } from '../support/saml/saml-attributes.js';
import { expectRejected, post, startLogin } from '../support/saml/saml-expect.js';

const HOUR = 3600_000;

/** Issue 15, findings 5 and 6: one assertion names one person, and only a recent authentication logs in. */
describe('SAML: one person per assertion, and a fresh authentication', () => {
  let h: SamlHarness;

  beforeAll(async () => {
    h = await createSamlHarness({ workers: 0 });
  });
  afterAll(() => h.close());

  it('nl-citizen: refuses a NameID naming BSN A with BSN B in the attribute, ending the login, without either value', async () => {
    const { location, idp, relayState } = await startLogin(h, 'nl');
    const { form } = await idp.respondTo(location, {
      now: h.clock.now(),
      nameId: 's00000000:123456782',
      nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
      attributes: bsnAttributes({ bsn: '111222333' }),
    });
    const error = await expectRejected(post(h, 'nl', form), 'NameID and the BSN attribute name different persons', relayState);
    expect(error.message).not.toContain('123456782');
  });

  it('nl-citizen: accepts a NameID carrying the same BSN as the attribute', async () => {
    const { location, idp, relayState } = await startLogin(h, 'nl');
    const { form } = await idp.respondTo(location, {
      now: h.clock.now(),
      nameId: 's00000000:111222333',
      nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
      attributes: bsnAttributes({ bsn: '111222333' }),
    });
    await expect(post(h, 'nl', form)).resolves.toMatchObject({ relayState, principal: { ssn: { value: '111222333' } } });
  });

  it('nl-citizen: DigiD itself, the BSN in its NameID (sector s00000000) and no BSN attribute, logs in as that BSN', async () => {
    const { location, idp, relayState } = await startLogin(h, 'nl');
    const { form } = await idp.respondTo(location, {
      now: h.clock.now(),
      nameId: 's00000000:111222333',
      nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
      attributes: {},
    });
    await expect(post(h, 'nl', form)).resolves.toMatchObject({
      relayState,
      principal: { kind: 'citizen', ssn: { system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: '111222333' } },
    });
  });

  it('nl-citizen: a NameID of another DigiD sector (s00000001, the SoFi number) is no BSN', async () => {
    const { location, idp, relayState } = await startLogin(h, 'nl');
    const { form } = await idp.respondTo(location, {
      now: h.clock.now(),
      nameId: 's00000001:111222333',
      nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
      attributes: {},
    });
    const error = await expectRejected(post(h, 'nl', form), 'missing attribute urn:nl-eid-gdi:1.0:id:BSN', relayState);
    expect(error.message).not.toContain('111222333');
  });

  it('refuses an assertion whose AuthnInstant is three years old (default maximum age: 2 hours)', async () => {
    const { location, idp } = await startLogin(h, 'nemlogin');
    const { form } = await idp.respondTo(location, {
      now: h.clock.now(),
      authnInstant: new Date(h.clock.now().getTime() - 3 * 365 * 24 * HOUR),
      attributes: citizenAttributes(),
    });
    await expectRejected(post(h, 'nemlogin', form), 'AuthnInstant older than the maximum authentication age');
  });

  it('accepts an authentication an hour old and reports its AuthnInstant', async () => {
    const { location, idp } = await startLogin(h, 'nemlogin');
    const authnInstant = new Date(h.clock.now().getTime() - HOUR);
    const { form } = await idp.respondTo(location, { now: h.clock.now(), authnInstant, attributes: citizenAttributes() });
    await expect(post(h, 'nemlogin', form)).resolves.toMatchObject({ authnInstant });
  });
});
