import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { checkConfig } from './config-check.js';

describe('config:check', () => {
  it("lists the SAML problems of every realm, not only the first realm's", () => {
    const raw = parse(readFileSync('fixtures/config/demo.yaml', 'utf8'));
    // Readable, so the loader passes them; a certificate where the private key should be.
    const brokenSaml = (alias: string) => ({
      serviceProvider: { signingKey: 'fixtures/saml/sp-signing.crt', signingCertificate: 'fixtures/saml/sp-signing.crt' },
      identityProviders: [
        {
          alias,
          profile: 'generic',
          entityId: 'urn:idp',
          ssoUrl: 'https://idp.example/sso',
          signingCertificates: ['fixtures/saml/idp-signing.crt'],
        },
      ],
    });
    Object.assign(raw.realms[0], brokenSaml('first'));
    Object.assign(raw.realms[2], brokenSaml('third'));
    const dir = mkdtempSync(join(tmpdir(), 'config-check-'));
    const file = join(dir, 'two-bad-realms.yaml');
    writeFileSync(file, stringify(raw));
    const result = checkConfig(file, {});
    rmSync(dir, { recursive: true, force: true });
    expect(result).toEqual({
      exitCode: 1,
      output:
        `invalid configuration in ${file}:\n` +
        '  - realms.ehealth.serviceProvider.signingKey: expected exactly one PEM private key\n' +
        '  - realms.ssl.serviceProvider.signingKey: expected exactly one PEM private key',
    });
  });
});
