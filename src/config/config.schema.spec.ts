import { parseConfig } from './config.loader.js';
import { configProblems as problemsOf } from '../../test/support/config-problems.js';

const ISSUER = 'https://auth.example/realms/nemlogin';

/** A realm with one client granted `roles`, naming `audience` (and an ID token algorithm, its grants and tenants) when given. */
const withClient = (
  client: { roles: string[]; audience?: string[]; idTokenSignedResponseAlg?: string; grantTypes?: string[]; tenants?: string[] },
  realm: { defaultAudience?: string; signingKeyFile?: string } = {},
) => ({
  environment: 'development',
  publicUrl: 'https://auth.example/',
  keys: { encryptionKey: 'x'.repeat(32) },
  realms: [
    {
      name: 'nemlogin',
      ...realm,
      clients: [{ clientId: 'auditor', type: 'confidential', secret: 's3cret', grantTypes: ['client_credentials'], ...client }],
    },
  ],
});

describe('config schema: admin clients and their audience (RFC 9068 §4)', () => {
  it('refuses an admin client whose audience leaves out the realm’s issuer', () => {
    expect(problemsOf(withClient({ roles: ['view-events'], audience: ['xis'] }))).toEqual([
      `realms[0].clients[0].audience: an admin client's tokens must name the realm's issuer ${ISSUER}, or the admin API refuses them`,
    ]);
  });

  it('refuses an admin client without an audience where the realm’s defaultAudience replaces the issuer', () => {
    expect(problemsOf(withClient({ roles: ['manage-users'] }, { defaultAudience: 'xis' }))).toEqual([
      `realms[0].clients[0].audience: an admin client needs an audience naming the realm's issuer ${ISSUER}: the realm's defaultAudience would replace it`,
    ]);
  });

  it('accepts an admin client whose tokens carry the issuer, and any audience for a client without an admin role', () => {
    expect(problemsOf(withClient({ roles: ['view-events'] }))).toEqual([]);
    expect(problemsOf(withClient({ roles: ['view-events'], audience: ['xis', ISSUER] }, { defaultAudience: 'xis' }))).toEqual([]);
    expect(problemsOf(withClient({ roles: ['view-events'] }, { defaultAudience: ISSUER }))).toEqual([]);
    expect(problemsOf(withClient({ roles: ['system'], audience: ['xis'] }, { defaultAudience: 'xis' }))).toEqual([]);
  });
});

describe('config schema: a client’s ID token algorithm (OIDC Dynamic Client Registration 1.0 §2)', () => {
  const withAlgorithm = (idTokenSignedResponseAlg: string, realm: { signingKeyFile?: string } = {}) =>
    withClient({ roles: [], idTokenSignedResponseAlg }, realm);

  it('accepts one of the signing algorithms, also beside a realm key from a file (the other key is generated)', () => {
    expect(problemsOf(withAlgorithm('RS256'))).toEqual([]);
    expect(problemsOf(withAlgorithm('RS256', { signingKeyFile: '/keys/realm.pem' }))).toEqual([]);
  });

  it('refuses an algorithm the realm cannot sign with, naming the key', () => {
    for (const alg of ['HS256', 'none', 'RS512']) {
      expect(problemsOf(withAlgorithm(alg))).toEqual([expect.stringMatching(/^realms\[0\]\.clients\[0\]\.idTokenSignedResponseAlg: /)]);
    }
  });
});

describe('config schema: a client’s tenants (organisation_agb)', () => {
  const withTenants = (grantTypes: string[], tenants = ['01234567']) => withClient({ roles: [], grantTypes, tenants });

  it('refuses tenants on a client of the authorization_code grant, naming the key', () => {
    for (const grants of [
      ['authorization_code', 'refresh_token'],
      ['authorization_code', 'urn:ietf:params:oauth:grant-type:token-exchange'],
    ]) {
      expect(problemsOf(withTenants(grants))).toEqual([
        'realms[0].clients[0].tenants: tenants bind machine clients (client_credentials, token exchange) only: a login by authorization_code acts for no tenant, so its tokens would carry none while its refreshes demanded organisation_agb',
      ]);
    }
  });

  it('takes tenants on a machine client, and an authorization_code client without any', () => {
    const exchange = 'urn:ietf:params:oauth:grant-type:token-exchange';
    expect(problemsOf(withTenants(['client_credentials', exchange, 'refresh_token']))).toEqual([]);
    expect(problemsOf(withTenants(['authorization_code', 'refresh_token'], []))).toEqual([]);
  });
});

describe('config schema: a token-exchange client’s refresh tokens', () => {
  const exchange = 'urn:ietf:params:oauth:grant-type:token-exchange';
  const exchanging = (grantTypes: string[]) => {
    const config = withClient({ roles: [], grantTypes });
    Object.assign(config.realms[0]!.clients[0]!, { tokenExchange: { audiences: ['xis'], refreshTokens: true } });
    return config;
  };

  it('refuses refreshTokens for a client that may not use refresh_token, naming the key', () => {
    expect(problemsOf(exchanging(['client_credentials', exchange]))).toEqual([
      'realms[0].clients[0].tokenExchange.refreshTokens: refresh tokens from token exchange need refresh_token in grantTypes: without it the client could never use them',
    ]);
    expect(problemsOf(exchanging([exchange, 'refresh_token']))).toEqual([]);
  });
});

describe('config schema: database timeouts', () => {
  const withDatabase = (database: Record<string, unknown>) => ({ ...withClient({ roles: [] }), database });

  it('takes whole seconds for the connection and statement timeouts of PostgreSQL', () => {
    expect(problemsOf(withDatabase({ url: 'postgres://db/fed', connectTimeoutSeconds: 3, statementTimeoutSeconds: 30 }))).toEqual([]);
  });

  it('refuses a timeout of zero (none) or a fraction, naming the key', () => {
    const problems = problemsOf(withDatabase({ url: 'postgres://db/fed', connectTimeoutSeconds: 0, statementTimeoutSeconds: 0.5 }));
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^database\.connectTimeoutSeconds: /);
    expect(problems[1]).toMatch(/^database\.statementTimeoutSeconds: /);
  });
});

describe("config schema: a login's FHIR deadline", () => {
  const withFhir = (fhir: Record<string, unknown>) => ({ ...withClient({ roles: [] }), fhir });

  it('gives a login 15 s of FHIR unless configured, or one request’s timeout where that is longer', () => {
    expect(parseConfig(withFhir({}), 'test', {}).fhir.loginDeadlineMs).toBe(15_000);
    // A config of an earlier release that set only a long timeout still starts.
    expect(parseConfig(withFhir({ timeoutMs: 120_000 }), 'test', {}).fhir.loginDeadlineMs).toBe(120_000);
    expect(parseConfig(withFhir({ loginDeadlineMs: 5000, timeoutMs: 5000 }), 'test', {}).fhir.loginDeadlineMs).toBe(5000);
  });

  it('refuses a deadline shorter than one request, or none, naming the key and the reason', () => {
    expect(problemsOf(withFhir({ loginDeadlineMs: 2000 }))).toEqual([
      'fhir.loginDeadlineMs: must be at least fhir.timeoutMs: a login makes at least one FHIR request',
    ]);
    for (const loginDeadlineMs of [0, -1, 1.5, '15000']) {
      const problems = problemsOf(withFhir({ loginDeadlineMs }));
      expect(problems.length).toBeGreaterThan(0);
      for (const problem of problems) expect(problem).toMatch(/^fhir\.loginDeadlineMs: /);
    }
  });
});

describe("config schema: a FHIR request's timers", () => {
  const withFhir = (fhir: Record<string, unknown>) => ({ ...withClient({ roles: [] }), fhir });

  it('refuses a timeout or deadline node would take as 1 ms (above 2^31 - 1), which would fail every login', () => {
    expect(problemsOf(withFhir({ timeoutMs: 2 ** 31, loginDeadlineMs: 2 ** 31 }))).toEqual([
      expect.stringMatching(/^fhir\.timeoutMs: .*2147483647/),
      expect.stringMatching(/^fhir\.loginDeadlineMs: .*2147483647/),
    ]);
  });
});

describe('config schema: the size cap of a FHIR answer', () => {
  const withFhir = (fhir: Record<string, unknown>) => ({ ...withClient({ roles: [] }), fhir });

  it('reads at most 4 MiB of an answer unless configured', () => {
    expect(parseConfig(withFhir({}), 'test', {}).fhir.maxAnswerBytes).toBe(4 * 1024 * 1024);
    expect(parseConfig(withFhir({ maxAnswerBytes: 1_000_000 }), 'test', {}).fhir.maxAnswerBytes).toBe(1_000_000);
  });

  it('refuses a cap too small for a page of a search, or none, naming the key', () => {
    for (const maxAnswerBytes of [0, 1000, 2.5e6 + 0.5]) {
      expect(problemsOf(withFhir({ maxAnswerBytes }))).toEqual([expect.stringMatching(/^fhir\.maxAnswerBytes: /)]);
    }
  });
});

describe('config schema: the database URL', () => {
  const withUrl = (url: string) => ({ ...withClient({ roles: [] }), database: { url } });

  it('takes "" (embedded PGlite) and postgres:// or postgresql://', () => {
    for (const url of ['', 'postgres://fed:pw@db/fed', 'postgresql://db/fed?sslmode=require']) expect(problemsOf(withUrl(url))).toEqual([]);
  });

  it('refuses any other scheme before the start (config:check said "valid" for one the start refused), never echoing the URL', () => {
    for (const url of ['postgress://fed:s3cret@db/fed', 'mysql://fed:s3cret@db/fed', 'db.example:5432/fed', 'fed:s3cret@db/fed']) {
      const problems = problemsOf(withUrl(url));
      expect(problems).toEqual([expect.stringMatching(/^database\.url: .*postgres:\/\//)]);
      expect(problems[0]).not.toContain('s3cret');
    }
    expect(problemsOf(withUrl(''), { DATABASE_URL: 'postgress://db/fed' })).toEqual([
      expect.stringMatching(/^database\.url: .*\(from environment variable DATABASE_URL\)$/),
    ]);
  });

  it('says a postgres:// URL that does not parse is not a valid URL, not a wrong scheme, never echoing it', () => {
    // A port out of range; a password with an unencoded "/", "#" or "?" (what follows it reads as the port).
    for (const url of [
      'postgres://postgres@127.0.0.1:99999/x',
      'postgresql://fed:s3cret/pw@db/fed',
      'postgres://fed:s3cret#pw@db:5432/fed',
      'POSTGRES://fed:s3cret?pw@db/fed',
    ]) {
      const problems = problemsOf(withUrl(url));
      expect(problems).toEqual(['database.url: not a valid URL (check the port, and percent-encode special characters in the password)']);
    }
    expect(problemsOf(withUrl('postgres://fed:s3cret%2Fpw@db/fed'))).toEqual([]);
    expect(problemsOf(withUrl(''), { DATABASE_URL: 'postgres://db:99999/fed' })).toEqual([
      'database.url: not a valid URL (check the port, and percent-encode special characters in the password) (from environment variable DATABASE_URL)',
    ]);
    // Another scheme is still named as such, whether or not the rest parses.
    for (const url of ['mysql://fed:s3cret/pw@db/fed', 'not a URL at all'])
      expect(problemsOf(withUrl(url))).toEqual([
        expect.stringMatching(/^database\.url: unsupported scheme ("mysql:\/\/"|\(not a URL\)); /),
      ]);
  });
});

describe('config schema: a required key left out', () => {
  it('says it is missing, naming the key, rather than which type undefined is not', () => {
    const { keys: _keys, ...withoutKeys } = withClient({ roles: [] });
    expect(problemsOf(withoutKeys)).toEqual(['keys: required, but missing']);
    const raw = withClient({ roles: [] });
    delete (raw.realms[0]!.clients[0] as Record<string, unknown>).type;
    expect(problemsOf(raw)).toEqual(['realms[0].clients[0].type: required, but missing (one of "public", "confidential")']);
  });
});

describe('config schema: the shutdown deadline', () => {
  it('refuses 0 (no "no deadline") and what setTimeout takes as 1 ms: both cut every request at once and exit 1 on each SIGTERM', () => {
    for (const shutdownTimeoutMs of [0, 2 ** 31])
      expect(problemsOf({ ...withClient({ roles: [] }), shutdownTimeoutMs })).toEqual([
        expect.stringMatching(/^shutdownTimeoutMs: must be a whole number of milliseconds from 1 to 2147483647 /),
      ]);
    expect(problemsOf({ ...withClient({ roles: [] }), shutdownTimeoutMs: 30_000 })).toEqual([]);
  });
});
