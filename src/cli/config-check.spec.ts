import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { loadConfigFile } from '../config/config.loader.js';
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

  it('warns, and still passes, of an IdP whose configured signing certificates are expired or expire within 30 days', () => {
    const raw = parse(readFileSync('fixtures/config/demo.yaml', 'utf8'));
    const idp = (alias: string, certificate: string) => ({
      alias,
      profile: 'generic',
      entityId: `urn:${alias}`,
      ssoUrl: 'https://idp.example/sso',
      signingCertificates: [certificate],
    });
    raw.realms[0].serviceProvider = {
      signingKey: 'fixtures/saml/sp-signing.TEST-ONLY.key',
      signingCertificate: 'fixtures/saml/sp-signing.crt',
    };
    raw.realms[0].identityProviders = [
      idp('lapsed', 'fixtures/saml/expired-idp-signing.crt'),
      idp('current', 'fixtures/saml/idp-signing.crt'),
    ];
    const dir = mkdtempSync(join(tmpdir(), 'config-check-'));
    const file = join(dir, 'certificates.yaml');
    writeFileSync(file, stringify(raw));
    try {
      const expired = checkConfig(file, {}, new Date('2026-12-06T00:00:00Z'));
      expect(expired.exitCode).toBe(0);
      expect(expired.output.split('\n').slice(1)).toEqual([
        '  warning: realms.ehealth.identityProviders.lapsed.signingCertificates: no signing certificate is valid now (the last expired 2021-01-01T00:00:00.000Z): its logins are refused',
      ]);
      const soon = checkConfig(file, {}, new Date('2046-11-07T00:00:00Z'));
      expect(soon.output.split('\n').slice(1)).toEqual([
        '  warning: realms.ehealth.identityProviders.lapsed.signingCertificates: no signing certificate is valid now (the last expired 2021-01-01T00:00:00.000Z): its logins are refused',
        '  warning: realms.ehealth.identityProviders.current.signingCertificates: every signing certificate valid now expires by 2046-11-17T10:31:51.000Z (in 10 days): its logins will be refused then unless a new one is configured or published',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('the seed of the embedded FHIR server (config:check said "valid" for a seed the start refused)', () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'config-check-'))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));
    /** The demo config with `seed`, and `change` made to it, in a file of `dir`. */
    const seededConfig = (seed: string, change: (raw: { realms: Record<string, unknown>[] }) => void = () => undefined) => {
      const raw = parse(readFileSync('fixtures/config/demo.yaml', 'utf8'));
      raw.fhir.seed = seed;
      change(raw);
      const file = join(dir, 'seeded.yaml');
      writeFileSync(file, stringify(raw));
      return file;
    };
    it('refuses a seed file that is missing, unreadable or not JSON, as the start does', () => {
      const notJson = join(dir, 'seed.json');
      writeFileSync(notJson, '{ not json');
      for (const [seed, problem] of [
        [join(dir, 'missing.json'), `fhir.seed: cannot read ${join(dir, 'missing.json')}: not found`],
        [notJson, `fhir.seed: ${notJson} is not valid JSON (malformed)`],
        [dir, `fhir.seed: cannot read ${dir}: unreadable (a directory)`],
      ] as const) {
        const file = seededConfig(seed);
        expect(checkConfig(file, {})).toEqual({ exitCode: 1, output: `invalid configuration in ${file}:\n  - ${problem}` });
        expect(() => loadConfigFile(file, {})).toThrow(problem);
      }
    });

    it("lists the seed's problem with the other files' problems, and none while the keys are refused", () => {
      const missing = join(dir, 'missing.json');
      const file = seededConfig(missing, (raw) => (raw.realms[0]!.signingKeyFile = '/nonexistent/key.pem'));
      expect(checkConfig(file, {})).toEqual({
        exitCode: 1,
        output:
          `invalid configuration in ${file}:\n` +
          `  - fhir.seed: cannot read ${missing}: not found\n` +
          '  - realms[0].signingKeyFile: cannot read /nonexistent/key.pem: not found',
      });
      const invalidKeys = seededConfig(missing, (raw) => (raw.realms[0]!.name = 'Not A Name!'));
      const refused = checkConfig(invalidKeys, {});
      expect(refused.output).toMatch(/^ {2}- realms\[0\]\.name: /m);
      expect(refused.output).not.toContain('fhir.seed');
    });

    it('passes a seed that is JSON, as before', () => {
      const seed = join(dir, 'seed.json');
      writeFileSync(seed, readFileSync('fixtures/fhir/demo.json'));
      expect(checkConfig(seededConfig(seed), {})).toMatchObject({ exitCode: 0, output: expect.stringContaining(': valid — ') });
    });
  });
});
