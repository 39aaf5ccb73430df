import { parseConfig } from './config.loader.js';
import { configProblems as problemsOf } from '../../test/support/config-problems.js';

const minimal = () => ({
  environment: 'development',
  publicUrl: 'https://auth.example/',
  port: 8080,
  keys: { encryptionKey: 'x'.repeat(32) },
  realms: [{ name: 'nemlogin' }],
});

describe('config: environment variables that override a key', () => {
  it('takes a port with the blanks an env file leaves around it', () => {
    expect(parseConfig(minimal(), 'test', { PORT: ' 9090 ', MANAGEMENT_PORT: '9100\n' })).toMatchObject({
      port: 9090,
      managementPort: 9100,
    });
  });

  it('refuses a PORT of blanks, which Number() reads as 0 (any free port), naming the variable', () => {
    expect(problemsOf(minimal(), { PORT: ' ' })).toEqual([expect.stringMatching(/^port: .*\(from environment variable PORT\)$/)]);
    expect(problemsOf(minimal(), { MANAGEMENT_PORT: '\t' })).toEqual([
      expect.stringMatching(/^managementPort: .*\(from environment variable MANAGEMENT_PORT\)$/),
    ]);
  });

  it('refuses a port Number() would read as another number (hex, an exponent, a fraction)', () => {
    for (const value of ['0x50', '8e3', '80.5', '-1'])
      expect(problemsOf(minimal(), { PORT: value })).toEqual([expect.stringMatching(/^port: .*\(from environment variable PORT\)$/)]);
  });

  it('names the variable a refused value came from, since the file holds another one', () => {
    expect(problemsOf(minimal(), { PORT: 'eighty' })).toEqual([expect.stringMatching(/^port: .*\(from environment variable PORT\)$/)]);
    expect(problemsOf(minimal(), { LOG_LEVEL: 'verbose' })).toEqual([
      expect.stringMatching(/^logLevel: .*\(from environment variable LOG_LEVEL\)$/),
    ]);
    expect(problemsOf({ ...minimal(), environment: 'production' }, { PUBLIC_URL: 'http://auth.example' })).toContainEqual(
      expect.stringMatching(/^publicUrl: must be an https URL in production.*\(from environment variable PUBLIC_URL\)$/),
    );
    expect(problemsOf(minimal(), { FHIR_BASE_URL: 'fhir.example/R4' })).toEqual([
      expect.stringMatching(/^fhir\.baseUrl: .*\(from environment variable FHIR_BASE_URL\)$/),
    ]);
    // A remote server named on a config written for the embedded one (the demo's, with a seed).
    expect(problemsOf({ ...minimal(), fhir: { seed: 'fixtures/fhir/demo.json' } }, { FHIR_BASE_URL: 'https://fhir.example/R4' })).toEqual([
      'fhir.baseUrl: only the embedded FHIR server is seeded: remove fhir.seed to use another server (from environment variable FHIR_BASE_URL)',
    ]);
  });

  it('leaves the problems of keys the file set as they were', () => {
    expect(problemsOf({ ...minimal(), logLevel: 'verbose' }, { PORT: '9090' })).toEqual([expect.stringMatching(/^logLevel: [^(]*$/)]);
  });
});

describe('config: a ${VAR} that is not set', () => {
  it('is reported once, not again as the empty value it leaves (too short, too small in production)', () => {
    const raw = {
      ...minimal(),
      environment: 'production',
      keys: { encryptionKey: '${KEY_ENCRYPTION_KEY}' },
      fhir: { baseUrl: 'https://fhir.example/R4' },
      realms: [
        {
          name: 'nemlogin',
          clients: [{ clientId: 'portal', type: 'confidential', secret: '${PORTAL_SECRET}', grantTypes: ['client_credentials'] }],
        },
      ],
    };
    expect(problemsOf(raw)).toEqual([
      'keys.encryptionKey: environment variable KEY_ENCRYPTION_KEY is not set',
      'realms[0].clients[0].secret: environment variable PORTAL_SECRET is not set',
    ]);
  });

  it('refuses a placeholder mistyped, naming the key and not the value, rather than take it as written', () => {
    const raw = {
      ...minimal(),
      keys: { encryptionKey: '${FEDERATION_KEY_ENCRYPTION_KEY_PRODUCTION' },
      realms: [
        {
          name: 'nemlogin',
          clients: [
            { clientId: 'portal', type: 'confidential', secret: '$PORTAL_CLIENT_SECRET', grantTypes: ['client_credentials'] },
            { clientId: 'xis', type: 'confidential', secret: 'prefix-${XIS_SECRET}-${OOPS', grantTypes: ['client_credentials'] },
            { clientId: 'nested', type: 'confidential', secret: '${NESTED_SECRET:-${OTHER_SECRET}}', grantTypes: ['client_credentials'] },
          ],
        },
      ],
    };
    const problems = problemsOf(raw, { XIS_SECRET: 'x'.repeat(40) });
    expect(problems).toEqual([
      'keys.encryptionKey: a "${" that is not a placeholder ${NAME} or ${NAME:-default} (a brace missing, or one in a default?)',
      'realms[0].clients[0].secret: $NAME is not read from the environment; write ${NAME}',
      'realms[0].clients[1].secret: a "${" that is not a placeholder ${NAME} or ${NAME:-default} (a brace missing, or one in a default?)',
      'realms[0].clients[2].secret: a "${" that is not a placeholder ${NAME} or ${NAME:-default} (a brace missing, or one in a default?)',
    ]);
    expect(problems.join('\n')).not.toMatch(/FEDERATION_KEY_ENCRYPTION_KEY_PRODUCTION|PORTAL_CLIENT_SECRET|OOPS|OTHER_SECRET/);
  });

  it('takes a $ elsewhere in a value as written, and whatever a variable brings in', () => {
    const raw = {
      ...minimal(),
      realms: [
        {
          name: 'nemlogin',
          clients: [
            { clientId: 'a', type: 'confidential', secret: 'pa$word-$2b$10$-costs', grantTypes: ['client_credentials'] },
            { clientId: 'b', type: 'confidential', secret: '${B_SECRET}', grantTypes: ['client_credentials'] },
          ],
        },
      ],
    };
    const config = parseConfig(raw, 'test', { B_SECRET: '${not-a-placeholder' });
    expect(config.realms[0]!.clients.map((c) => c.secret)).toEqual(['pa$word-$2b$10$-costs', '${not-a-placeholder']);
  });
});
