import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { cookiesFrom } from '../support/browser-cookies.js';
import { citizenAttributes } from '../support/saml/saml-attributes.js';
import { SAML_FIXTURE_FILES } from '../support/saml/saml-fixtures.js';
import { TestIdp } from '../support/saml/test-idp.js';
import { runFlows } from './flows.js';
import type { LoadResult } from './load.js';

const CALLBACK = 'http://localhost:3000/callback';
const ALIAS = 'nemlog-in';

/**
 * A demo config with a NemLog-in style IdP on the test keys (fixtures/saml, TEST-ONLY), for the
 * SAML login benchmark; written to `dir` and returned as its path.
 */
export function samlBenchConfig(dir: string, idp: TestIdp): string {
  const config = parse(readFileSync('fixtures/config/demo.yaml', 'utf8')) as { realms: Record<string, unknown>[] };
  const nemlogin = config.realms.find((r) => r.name === 'nemlogin')!;
  nemlogin.identityProviders = [idp.idpConfig('oiosaml3-citizen')];
  nemlogin.serviceProvider = {
    signingKey: SAML_FIXTURE_FILES.spSigningKey,
    signingCertificate: SAML_FIXTURE_FILES.spSigningCertificate,
    decryptionKey: SAML_FIXTURE_FILES.spEncryptionKey,
    decryptionCertificate: SAML_FIXTURE_FILES.spEncryptionCertificate,
  };
  const file = join(dir, 'bench-saml.yaml');
  writeFileSync(file, stringify(config));
  return file;
}

export function samlBenchIdp(publicUrl: string): Promise<TestIdp> {
  return TestIdp.create({ realmIssuer: `${publicUrl}/realms/nemlogin`, alias: ALIAS });
}

interface PreparedLogin {
  form: Record<string, string>;
  verifier: string;
  cookie: string;
}

/**
 * Complete SAML logins, NemLog-in shaped (signed Response, signed and encrypted assertion, a fresh
 * one each): ACS → code → token, linked to FHIR. The authorization requests and the IdP's
 * responses are prepared beforehand, so the figure is the service's work, not the test IdP's.
 */
export async function benchSamlLogins(baseUrl: string, idp: TestIdp, count = 1500): Promise<LoadResult> {
  const issuer = `${baseUrl}/realms/nemlogin`;
  const prepared: PreparedLogin[] = [];
  for (let i = 0; i < count; i++) {
    const verifier = randomBytes(32).toString('base64url');
    const authorize = new URL(`${issuer}/protocol/openid-connect/auth`);
    for (const [name, value] of Object.entries({
      client_id: 'patient-app',
      redirect_uri: CALLBACK,
      response_type: 'code',
      scope: 'openid patient/*.read',
      kc_idp_hint: ALIAS,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }))
      authorize.searchParams.set(name, value);
    const toIdp = await fetch(authorize, { redirect: 'manual' });
    const { form } = await idp.respondTo(toIdp.headers.get('location')!, {
      attributes: citizenAttributes({ cpr: '0101011234' }),
      encrypt: true,
    });
    prepared.push({ form, verifier, cookie: cookiesFrom(toIdp) });
  }
  return runFlows(
    'SAML login (ACS → code → token)',
    async (i) => {
      const login = prepared[i]!;
      const back = await fetch(idp.acsUrl, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: login.cookie },
        body: new URLSearchParams(login.form).toString(),
      });
      const code = new URL(back.headers.get('location') ?? 'http://x/').searchParams.get('code');
      if (!code) throw new Error(`ACS answered ${back.status} without a code`);
      const token = await fetch(`${issuer}/protocol/openid-connect/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: CALLBACK,
          client_id: 'patient-app',
          code_verifier: login.verifier,
        }).toString(),
      });
      if (token.status !== 200) throw new Error(`token endpoint answered ${token.status}`);
    },
    { concurrency: 16, seconds: 30, limit: count },
  );
}
