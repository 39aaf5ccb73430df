import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { SAML_FIXTURE_FILES } from '../support/saml/saml-fixtures.js';
import { TestIdp } from '../support/saml/test-idp.js';

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
