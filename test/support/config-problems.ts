import { ConfigError } from '../../src/config/config.error.js';
import { parseConfig } from '../../src/config/config.loader.js';

/** The problems a config object is refused with (each `key: reason`), or none. */
export function configProblems(raw: unknown, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(raw, 'test', env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

/** A minimal config of one realm `r` whose one SAML IdP (alias `idp`, profile generic) is `idp`, for the IdP keys' specs. */
export function configWithIdp(idp: Record<string, unknown>, environment = 'test') {
  return {
    environment,
    publicUrl: 'https://auth.example',
    keys: { encryptionKey: 'production-grade-key-encryption-key-0123456789' },
    fhir: { baseUrl: 'https://fhir.example/R4' },
    realms: [
      {
        name: 'r',
        serviceProvider: { signingKey: 'k', signingCertificate: 'c' },
        identityProviders: [{ alias: 'idp', profile: 'generic', ...idp }],
      },
    ],
  };
}
