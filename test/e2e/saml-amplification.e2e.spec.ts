import { SamlBusyError } from '../../src/saml/saml.errors.js';
import { DEFAULT_XML_LIMITS, MAX_XML_REFERENCES, measureXml } from '../../src/saml/xml-prechecks.js';
import { citizenAttributes, clinicianAttributes } from '../support/saml/saml-attributes.js';
import { createSamlHarness, type SamlHarness } from '../support/saml/saml-harness.js';
import { expectRejected, post, startLogin, validAttributes } from '../support/saml/saml-expect.js';
import type { Tamper } from '../support/saml/tamper.js';

/**
 * Issue 15, finding 1: a Response whose signature is broken but whose `samlp:Extensions` holds 16,000
 * empty elements (156 KB) cost ~9 s of worker CPU to refuse. The precheck refuses its shape first;
 * past the precheck, a validation has a deadline and the pool a bounded queue.
 */
const wideExtensions =
  (count: number, element: string): Tamper =>
  (xml) =>
    xml.replace('<samlp:Status>', `<samlp:Extensions>${element.repeat(count)}</samlp:Extensions><samlp:Status>`);

/** The finding's document: 16,000 `<samlp:e/>`, 156 KB. */
const FINDING = { count: 16_000, element: '<samlp:e/>' };
/**
 * Denser, for the deadline tests: the validation's cost grows with the square of the element count
 * (measured: 16,000 → 1.8 s, 32,000 → 8.3 s, 45,000 → 25 s on a machine that signs ES256 at 58k/s),
 * so that even a machine much faster than that one does not finish it within a test's deadline.
 */
const PAST_ANY_DEADLINE = { count: 40_000, element: '<e/>' };

/** No limit the amplification document reaches, so that it gets to the worker pool. */
const NO_SHAPE_LIMITS = { maxElements: 1_000_000, maxDepth: 1000, maxAttributesPerElement: 1000 };

async function amplificationPost(h: SamlHarness, { count, element } = FINDING) {
  const { location, idp } = await startLogin(h, 'nemlogin');
  const { form, xml } = await idp.respondTo(location, {
    now: h.clock.now(),
    attributes: citizenAttributes(),
    tamper: wideExtensions(count, element),
  });
  return { form, bytes: Buffer.byteLength(xml) };
}

async function honestLogin(h: SamlHarness) {
  const { location, idp, relayState } = await startLogin(h, 'nemlogin');
  const { form } = await idp.respondTo(location, { now: h.clock.now(), attributes: validAttributes('nemlogin'), encrypt: true });
  await expect(post(h, 'nemlogin', form)).resolves.toMatchObject({ relayState });
}

/** How long an expectation took to be met; its failure fails the test. */
const elapsedMs = async (promise: Promise<unknown>) => {
  const started = performance.now();
  await promise;
  return performance.now() - started;
};

/** How long a promise took to settle, and how: for callers that assert on the outcome themselves. */
const timed = async <T>(promise: Promise<T>) => {
  const started = performance.now();
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  return { ...outcome, ms: performance.now() - started };
};

describe('SAML CPU amplification', () => {
  describe('with the default limits', () => {
    let h: SamlHarness;
    beforeAll(async () => {
      h = await createSamlHarness({ workers: 1 });
    });
    afterAll(() => h.close());

    it('refuses the 16,000-element Response in the precheck, before any worker sees it', async () => {
      const { form, bytes } = await amplificationPost(h);
      expect(bytes).toBeGreaterThan(150_000);
      const ms = await elapsedMs(expectRejected(post(h, 'nemlogin', form), 'too many elements'));
      // One pass over the text: far below the ~9 s of worker CPU the validation cost (more on a slower machine).
      expect(ms).toBeLessThan(3000);
    });

    it('leaves real Responses far below every limit (NemLog-in encrypted with 25 more attributes, eHealth clinician)', async () => {
      const idps = h.idps;
      const extra = Object.fromEntries(
        Array.from({ length: 25 }, (_, i) => [`https://data.gov.dk/model/core/eid/extra${i}`, `value ${i}`]),
      );
      const responses = [
        await idps.nemlogin.response({ inResponseTo: '_r', attributes: { ...citizenAttributes(), ...extra }, encrypt: true }),
        await idps.nemlogin.response({ inResponseTo: '_r', attributes: { ...citizenAttributes(), ...extra } }),
        await idps.ehealth.response({ inResponseTo: '_r', attributes: clinicianAttributes() }),
      ];
      for (const { xml } of responses) {
        const shape = measureXml(xml);
        expect(shape.elements * 4).toBeLessThanOrEqual(DEFAULT_XML_LIMITS.maxElements);
        expect(shape.depth * 3).toBeLessThanOrEqual(DEFAULT_XML_LIMITS.maxDepth);
        expect(shape.attributesPerElement * 4).toBeLessThanOrEqual(DEFAULT_XML_LIMITS.maxAttributesPerElement);
        expect(shape.attributes * 4).toBeLessThanOrEqual(DEFAULT_XML_LIMITS.maxAttributes);
      }
    });

    /**
     * A later probe's document, within the element, depth and per-element limits: 300 attribute values
     * of 31 namespace declarations each (183 KB), whose broken signature took node-saml 240–505 ms of
     * worker CPU to refuse, an honest Response's ~20 ms (xml-prechecks.ts). Its attributes in all are
     * refused first. (Inside an encrypted assertion the worker applies the same limits: below.)
     */
    it('refuses a Response of 300 elements with 31 namespace declarations each in the precheck', async () => {
      const values = Array.from(
        { length: 300 },
        (_, i) => `<saml:AttributeValue${Array.from({ length: 31 }, (_, j) => ` xmlns:p${j}="u${i}"`).join('')}>v</saml:AttributeValue>`,
      ).join('');
      const { location, idp } = await startLogin(h, 'nemlogin');
      const { form, xml } = await idp.respondTo(location, {
        now: h.clock.now(),
        attributes: citizenAttributes(),
        tamper: (signed) =>
          signed.replace('</saml:AttributeStatement>', `<saml:Attribute Name="x">${values}</saml:Attribute></saml:AttributeStatement>`),
      });
      const shape = measureXml(xml);
      expect(shape.elements).toBeLessThanOrEqual(DEFAULT_XML_LIMITS.maxElements);
      expect(shape.attributesPerElement).toBeLessThanOrEqual(DEFAULT_XML_LIMITS.maxAttributesPerElement);
      expect(shape.attributes).toBeGreaterThan(9000);
      await expectRejected(post(h, 'nemlogin', form), /^too many attributes$/);
    });

    it('gives an encrypted assertion what its Response left of the limits, not the limits again', async () => {
      // node-saml works through the Response and the decrypted assertion both: together they get one budget.
      const { location, idp } = await startLogin(h, 'nemlogin');
      const { form, xml } = await idp.respondTo(location, {
        now: h.clock.now(),
        attributes: citizenAttributes(),
        encrypt: true,
        tamper: wideExtensions(440, '<samlp:e/>'),
      });
      const outer = measureXml(xml);
      expect(outer.elements).toBeLessThanOrEqual(DEFAULT_XML_LIMITS.maxElements);
      // The assertion alone (~50 elements) is far within the limits; beside the Response's, it is not.
      expect(DEFAULT_XML_LIMITS.maxElements - outer.elements).toBeLessThan(50);
      await expectRejected(post(h, 'nemlogin', form), 'encrypted assertion: too many elements');
    });

    it('refuses a character reference to a character XML forbids (&#1; in a name)', async () => {
      const { location, idp } = await startLogin(h, 'nemlogin');
      const { form } = await idp.respondTo(location, {
        now: h.clock.now(),
        attributes: citizenAttributes({ firstName: 'Karen' }),
        tamper: (xml) => xml.replace('>Karen<', '>Ka&#1;ren<'),
      });
      await expectRejected(post(h, 'nemlogin', form), 'character reference');
    });

    it('refuses a Response with more entity references than a real one has, before any worker (47,000 `&lt;` cost one 102 ms)', async () => {
      const { location, idp } = await startLogin(h, 'nemlogin');
      const { form } = await idp.respondTo(location, {
        now: h.clock.now(),
        attributes: citizenAttributes({ firstName: 'Karen' }),
        tamper: (xml) => xml.replace('>Karen<', `>${'&lt;'.repeat(MAX_XML_REFERENCES + 1)}<`),
      });
      await expectRejected(post(h, 'nemlogin', form), /^too many entity or character references$/);
    });
  });

  describe('inside an encrypted assertion, which the precheck sees only as ciphertext', () => {
    let h: SamlHarness;
    beforeAll(async () => {
      h = await createSamlHarness({ workers: 1 });
    });
    afterAll(() => h.close());

    it.each([
      ['a raw control character', 'Ka\u0001ren'],
      ['a NUL', 'Ka\u0000ren'],
    ])('refuses %s in a signed name', async (_what, firstName) => {
      const { location, idp } = await startLogin(h, 'nemlogin');
      const { form } = await idp.respondTo(location, { now: h.clock.now(), attributes: citizenAttributes({ firstName }), encrypt: true });
      await expectRejected(post(h, 'nemlogin', form), 'character XML forbids');
    });

    it('refuses more entity references than a real assertion has in a signed name', async () => {
      const { location, idp } = await startLogin(h, 'nemlogin');
      const firstName = '<'.repeat(MAX_XML_REFERENCES + 1);
      const { form, xml } = await idp.respondTo(location, {
        now: h.clock.now(),
        attributes: citizenAttributes({ firstName }),
        encrypt: true,
      });
      expect(xml).not.toContain('&lt;');
      await expectRejected(post(h, 'nemlogin', form), 'encrypted assertion: too many entity or character references');
    });
  });

  describe('the shape limits also bound an encrypted assertion (anyone can encrypt to the SP certificate)', () => {
    let h: SamlHarness;
    beforeAll(async () => {
      h = await createSamlHarness({ workers: 1, xmlLimits: { ...DEFAULT_XML_LIMITS, maxElements: 200 } });
    });
    afterAll(() => h.close());

    it('refuses an assertion over the limits inside an encryption whose Response is within them', async () => {
      const { location, idp } = await startLogin(h, 'nemlogin');
      const many = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`urn:example:a${i}`, 'v']));
      const { form, xml } = await idp.respondTo(location, {
        now: h.clock.now(),
        attributes: { ...citizenAttributes(), ...many },
        encrypt: true,
      });
      expect(measureXml(xml).elements).toBeLessThan(200);
      await expectRejected(post(h, 'nemlogin', form), 'encrypted assertion: too many elements');
    });

    it('accepts an encrypted assertion within them', async () => {
      await honestLogin(h);
    });
  });

  describe('past the precheck: a deadline per validation', () => {
    let h: SamlHarness;
    beforeAll(async () => {
      // A deadline an honest validation meets even on a slow, busy machine, and the amplification does not.
      h = await createSamlHarness({ workers: 1, validationTimeoutMs: 2000, xmlLimits: NO_SHAPE_LIMITS });
    });
    afterAll(() => h.close());

    it('abandons a validation at its deadline, restarts the worker, and the next login succeeds', async () => {
      const { form } = await amplificationPost(h, PAST_ANY_DEADLINE);
      const ms = await elapsedMs(expectRejected(post(h, 'nemlogin', form), 'deadline'));
      expect(ms).toBeGreaterThanOrEqual(1900);
      expect(ms).toBeLessThan(8000);
      await honestLogin(h);
    });
  });

  describe('past the precheck: a bounded queue', () => {
    let h: SamlHarness;
    beforeAll(async () => {
      h = await createSamlHarness({ workers: 1, maxQueue: 1, validationTimeoutMs: 1500, xmlLimits: NO_SHAPE_LIMITS });
    });
    afterAll(() => h.close());

    it('sheds a Response that would wait behind a full queue at once, and recovers', async () => {
      const posts = [
        await amplificationPost(h, PAST_ANY_DEADLINE),
        await amplificationPost(h, PAST_ANY_DEADLINE),
        await amplificationPost(h, PAST_ANY_DEADLINE),
      ];
      const [running, queued, shed] = posts.map(({ form }) => timed(post(h, 'nemlogin', form)));
      const third = await shed;
      expect((third as { error?: unknown }).error).toBeInstanceOf(SamlBusyError);
      // At once: without waiting for the running validation's deadline.
      expect(third.ms).toBeLessThan(1500);
      // Each runs to its own deadline, the queued one after the first (and a fresh worker's start-up).
      for (const outcome of [await running, await queued]) {
        expect(outcome.ms).toBeLessThan(8000);
        expect(String((outcome as { error?: { reason?: string } }).error?.reason)).toContain('deadline');
      }
      await honestLogin(h);
    });
  });
});
