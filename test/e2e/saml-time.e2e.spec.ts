import { createSamlHarness, PINNED_TIME, type SamlHarness } from '../support/saml/saml-harness.js';
import { citizenAttributes } from '../support/saml/saml-attributes.js';
import { expectRejected, post, startLogin } from '../support/saml/saml-expect.js';
import type { ResponseOptions } from '../support/saml/test-idp.js';

/**
 * Every time check runs against the injected clock with a 60 s skew. node-saml's own checks use
 * the real clock and are switched off; the harness pins the clock to 2031, far from the machine's
 * time, so a check still made against the real clock would fail these tests.
 */
describe('SAML time checks (injected clock, 60 s skew)', () => {
  let h: SamlHarness;

  beforeAll(async () => {
    h = await createSamlHarness({ workers: 0 });
  });
  afterAll(() => h.close());

  /** Issues at `issuedAt` (IdP clock), posts after the service clock moved by `elapsed` seconds. */
  async function attempt(options: ResponseOptions & { elapsed?: number; issuedAt?: Date } = {}) {
    const { location, idp } = await startLogin(h, 'nemlogin');
    const response = await idp.respondTo(location, { now: options.issuedAt ?? h.clock.now(), attributes: citizenAttributes(), ...options });
    h.clock.advance(options.elapsed ?? 0);
    return post(h, 'nemlogin', response.form);
  }

  it('the pinned clock is not the machine clock', () => {
    expect(Math.abs(PINNED_TIME.getTime() - Date.now())).toBeGreaterThan(365 * 86400_000);
  });

  it('accepts a response valid by the injected clock', async () => {
    await expect(attempt()).resolves.toMatchObject({ authnInstant: h.clock.now() });
  });

  it('refuses a response valid by the machine clock but long expired by the injected one', async () => {
    await expectRejected(attempt({ issuedAt: new Date() }), /expired|issued in the future/);
  });

  it('accepts up to the skew past NotOnOrAfter (+300 s), refuses beyond it', async () => {
    await expect(attempt({ elapsed: 359 })).resolves.toBeDefined();
    await expectRejected(attempt({ elapsed: 361 }), 'expired');
  });

  it('refuses an expired Conditions NotOnOrAfter while the SubjectConfirmationData is still valid', async () => {
    await expectRejected(attempt({ notOnOrAfter: 300, subjectNotOnOrAfter: 900, elapsed: 400 }), 'assertion expired');
  });

  it('refuses an expired SubjectConfirmationData NotOnOrAfter while the Conditions are still valid', async () => {
    await expectRejected(attempt({ notOnOrAfter: 900, subjectNotOnOrAfter: 30, elapsed: 100 }), 'SubjectConfirmationData expired');
  });

  it('refuses a bearer SubjectConfirmationData without NotOnOrAfter (SAML Profiles §4.1.4.2)', async () => {
    await expectRejected(attempt({ subjectNotOnOrAfter: null }), /NotOnOrAfter/);
  });

  it('refuses Conditions NotBefore beyond the skew', async () => {
    await expectRejected(attempt({ notBefore: 100 }), 'not yet valid');
    await expect(attempt({ notBefore: 50 })).resolves.toBeDefined();
  });

  it('tolerates an IdP clock 30 s ahead, refuses one 2 minutes ahead', async () => {
    await expect(attempt({ issuedAt: new Date(h.clock.now().getTime() + 30_000) })).resolves.toBeDefined();
    await expectRejected(attempt({ issuedAt: new Date(h.clock.now().getTime() + 120_000) }), 'in the future');
  });

  it('returns SessionNotOnOrAfter, and refuses an assertion whose IdP session is already over', async () => {
    const login = await attempt({ sessionNotOnOrAfter: 1800 });
    expect(login.sessionNotOnOrAfter).toEqual(new Date(h.clock.now().getTime() + 1800_000));
    await expectRejected(attempt({ sessionNotOnOrAfter: -120 }), 'SessionNotOnOrAfter');
  });

  it('a login without SessionNotOnOrAfter has none', async () => {
    await expect(attempt({ sessionNotOnOrAfter: null })).resolves.toMatchObject({ sessionNotOnOrAfter: undefined });
  });

  it('an expired response leaves its request pending (a slow browser is not an attack, but not an answer either)', async () => {
    const { location, idp, relayState } = await startLogin(h, 'nemlogin');
    const stale = await idp.respondTo(location, { now: new Date(h.clock.now().getTime() - 600_000), attributes: citizenAttributes() });
    await expectRejected(post(h, 'nemlogin', stale.form), 'expired');
    const fresh = await idp.respondTo(location, { now: h.clock.now(), attributes: citizenAttributes() });
    await expect(post(h, 'nemlogin', fresh.form)).resolves.toMatchObject({ relayState });
  });
});
