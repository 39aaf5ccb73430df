import { parseConfig } from './config.loader.js';
import { configProblems as problemsOf } from '../../test/support/config-problems.js';

const idp = { alias: 'idp', profile: 'generic', entityId: 'https://idp.test', ssoUrl: 'https://idp.test/sso', signingCertificates: ['c'] };

const raw = (patch: { saml?: unknown; idp?: Record<string, unknown> } = {}) => ({
  environment: 'test',
  publicUrl: 'https://auth.example',
  keys: { encryptionKey: 'x'.repeat(32) },
  ...(patch.saml === undefined ? {} : { saml: patch.saml }),
  realms: [{ name: 'r', serviceProvider: { signingKey: 'k', signingCertificate: 'c' }, identityProviders: [{ ...idp, ...patch.idp }] }],
});

describe('SAML hardening config', () => {
  it('has safe defaults: a validation deadline, a bounded queue, XML shape limits, a 2-hour authentication age, AES-GCM only', () => {
    const config = parseConfig(raw(), 'test', {});
    expect(config.saml).toEqual({
      validationTimeoutMs: 2000,
      maxQueue: 64,
      maxLogoutQueue: 16,
      xmlLimits: { maxElements: 500, maxDepth: 24, maxAttributesPerElement: 32, maxAttributes: 500 },
    });
    expect(config.realms[0].identityProviders[0].maxAuthenticationAgeSeconds).toBe(7200);
    expect(config.realms[0].identityProviders[0].acceptAesCbc).toBe(false);
  });

  it('takes each value from the file', () => {
    const config = parseConfig(
      raw({
        saml: { validationTimeoutMs: 500, maxQueue: 0, maxLogoutQueue: 4, xmlLimits: { maxElements: 400 } },
        idp: { maxAuthenticationAgeSeconds: 600, acceptAesCbc: true },
      }),
      'test',
      {},
    );
    expect(config.saml).toEqual({
      validationTimeoutMs: 500,
      maxQueue: 0,
      maxLogoutQueue: 4,
      xmlLimits: { maxElements: 400, maxDepth: 24, maxAttributesPerElement: 32, maxAttributes: 500 },
    });
    expect(config.realms[0].identityProviders[0].maxAuthenticationAgeSeconds).toBe(600);
    expect(config.realms[0].identityProviders[0].acceptAesCbc).toBe(true);
  });

  it('names the key and the reason of every value it refuses', () => {
    expect(
      problemsOf(
        raw({
          saml: {
            validationTimeoutMs: 10,
            maxQueue: -1,
            maxLogoutQueue: 1.5,
            xmlLimits: { maxElements: 50, maxDepth: 4, maxAttributesPerElement: 2.5, maxAttributes: 199 },
            extra: 1,
          },
          idp: { maxAuthenticationAgeSeconds: 0 },
        }),
      ),
    ).toEqual([
      'saml.validationTimeoutMs: must be between 100 and 60000 milliseconds',
      'saml.maxQueue: must be a whole number from 0 to 10000',
      'saml.maxLogoutQueue: must be a whole number from 0 to 10000',
      'saml.xmlLimits.maxElements: must be a whole number of at least 200 (a real Response has up to ~120 elements)',
      'saml.xmlLimits.maxDepth: must be a whole number of at least 12 (a real Response nests up to 8 deep)',
      'saml.xmlLimits.maxAttributesPerElement: must be a whole number of at least 16 (a real Response has up to ~10 on one element)',
      'saml.xmlLimits.maxAttributes: must be a whole number of at least 200 (a real Response has up to ~125 in all)',
      'saml: Unrecognized key: "extra"',
      'realms[0].identityProviders[0].maxAuthenticationAgeSeconds: must be a whole number of seconds from 1',
    ]);
  });
});
