import nodeSaml from '@node-saml/node-saml';
import { SAML_FIXTURES } from '../support/saml/saml-fixtures.js';
import type { TestIdp } from '../support/saml/test-idp.js';
import type { PreparedLogin } from './saml-amplification.bench.js';

const { SAML, ValidateInResponseTo } = nodeSaml;

export interface ReferenceRate {
  /** Responses validated per second, one thread. */
  perSecond: number;
  validated: number;
}

/**
 * The reference of what a login's XML work costs (issue 14): node-saml's own
 * `validatePostResponseAsync` on the same signed Responses the service gets (Response signature,
 * encrypted and signed assertion), one after another in this one thread, with node-saml's own
 * checks — both signatures, decryption — and its clock and InResponseTo checks off, as the service
 * has them (it makes those against its own clock and database). Nothing else: no HTTP, no
 * database, no FHIR, no tokens.
 */
export async function nodeSamlValidationRate(idp: TestIdp, logins: PreparedLogin[], seconds = 5): Promise<ReferenceRate> {
  const saml = new SAML({
    callbackUrl: idp.acsUrl,
    issuer: 'bench-reference',
    audience: false,
    idpCert: SAML_FIXTURES.idpSigningCertificate,
    decryptionPvk: SAML_FIXTURES.spEncryptionKey,
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: true,
    acceptedClockSkewMs: -1,
    validateInResponseTo: ValidateInResponseTo.never,
  });
  const validate = async (login: PreparedLogin) => {
    const { profile } = await saml.validatePostResponseAsync({ SAMLResponse: login.form.SAMLResponse! });
    if (!profile) throw new Error('node-saml validated no profile');
  };
  for (const login of logins.slice(0, 20)) await validate(login); // warm-up: JIT
  let validated = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  while (performance.now() < deadline) await validate(logins[validated++ % logins.length]!);
  return { perSecond: Math.round(validated / ((performance.now() - started) / 1000)), validated };
}
