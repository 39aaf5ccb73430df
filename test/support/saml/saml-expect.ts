import { randomBytes } from 'node:crypto';
import { SamlRejectedError, SamlStatusError } from '../../../src/saml/saml.errors.js';
import type { SamlHarness } from './saml-harness.js';
import type { ResponseOptions, TestIdp } from './test-idp.js';
import { bsnAttributes, citizenAttributes, clinicianAttributes } from './saml-attributes.js';

/** National identifiers used by the attribute helpers: none may appear in an error message. */
const NATIONAL_IDENTIFIERS = ['0101701234', '0202801234', '111222333'];

export type HarnessIdp = keyof SamlHarness['idps'];

const ROUTES: Record<HarnessIdp, { realm: string; alias: string }> = {
  nemlogin: { realm: 'nemlogin', alias: 'nemlog-in' },
  ehealth: { realm: 'ehealth', alias: 'clinician-idp' },
  nl: { realm: 'nl', alias: 'digid' },
  ssl: { realm: 'ssl', alias: 'ssl-idp' },
  other: { realm: 'other', alias: 'other-idp' },
};

/** Attributes that make a valid login for each test IdP's profile. */
export function validAttributes(idp: HarnessIdp) {
  switch (idp) {
    case 'nemlogin':
    case 'other':
      return citizenAttributes();
    case 'ehealth':
      return clinicianAttributes();
    case 'nl':
      return bsnAttributes();
    case 'ssl':
      return { 'urn:oid:0.9.2342.19200300.100.1.1': 'emp-1' };
  }
}

/** Starts a login at one of the harness IdPs; returns the redirect URL and its RelayState. */
export async function startLogin(h: SamlHarness, idp: HarnessIdp, relayState = `tx-${randomBytes(6).toString('hex')}`) {
  const { realm, alias } = ROUTES[idp];
  const location = await h.saml.authnRequestUrl(h.realm(realm), alias, relayState);
  return { location, relayState, idp: h.idps[idp] as TestIdp };
}

/** Posts a form to the ACS of `idp` (the realm and alias of that IdP unless overridden). */
export function post(h: SamlHarness, idp: HarnessIdp, form: Record<string, unknown>) {
  const { realm, alias } = ROUTES[idp];
  return h.saml.consume(h.realm(realm), alias, form);
}

/** Asserts a SamlRejectedError whose reason contains `reason` and names no national identifier. */
export async function expectRejected(promise: Promise<unknown>, reason: string | RegExp, relayState?: string): Promise<SamlRejectedError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the response to be rejected');
    },
    (e: unknown) => e,
  );
  if (!(error instanceof SamlRejectedError)) throw error;
  expect(error.reason).toMatch(reason);
  expect(error.relayState).toBe(relayState);
  for (const id of NATIONAL_IDENTIFIERS) expect(error.message).not.toContain(id);
  return error;
}

export async function expectStatusError(promise: Promise<unknown>): Promise<SamlStatusError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a SAML status error');
    },
    (e: unknown) => e,
  );
  if (!(error instanceof SamlStatusError)) throw error;
  return error;
}

/**
 * The response built with `bad` is rejected for `reason`, and the pending request it answered is
 * still there: an honest response to the same request then succeeds.
 */
export async function expectRejectedKeepingRequest(
  h: SamlHarness,
  idp: HarnessIdp,
  bad: ResponseOptions,
  reason: string | RegExp,
): Promise<void> {
  const { location, relayState, idp: testIdp } = await startLogin(h, idp);
  const attributes = validAttributes(idp);
  const tampered = await testIdp.respondTo(location, { now: h.clock.now(), attributes, ...bad });
  await expectRejected(post(h, idp, tampered.form), reason);
  const honest = await testIdp.respondTo(location, { now: h.clock.now(), attributes });
  await expect(post(h, idp, honest.form)).resolves.toMatchObject({ relayState });
}
