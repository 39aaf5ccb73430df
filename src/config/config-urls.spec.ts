import { configProblems as problemsOf } from '../../test/support/config-problems.js';

/** A development config, `realm` merged into its one realm. */
const config = (realm: Record<string, unknown> = {}, publicUrl = 'https://auth.example/') => ({
  environment: 'development',
  publicUrl,
  keys: { encryptionKey: 'x'.repeat(32) },
  realms: [{ name: 'nemlogin', ...realm }],
});

const idp = (fields: Record<string, string>) => ({
  serviceProvider: { signingKey: 'sp.key', signingCertificate: 'sp.crt' },
  identityProviders: [
    {
      alias: 'idp',
      profile: 'generic',
      entityId: 'https://idp.example',
      ssoUrl: 'https://idp.example/sso',
      signingCertificates: ['idp.crt'],
      ...fields,
    },
  ],
});

// zod's z.url() takes any scheme: `idp.example:443/sso` is a URL of the scheme "idp.example:".
const SCHEMELESS = 'idp.example:443/saml/sso';

describe('config: URLs the service calls or sends browsers to are http(s)', () => {
  it('refuses a publicUrl without http(s) in any environment: it is the issuer and the base of every endpoint', () => {
    expect(problemsOf(config({}, 'localhost:8080'))).toEqual([expect.stringMatching(/^publicUrl: must be an http\(s\) URL/)]);
  });

  it('says a missing publicUrl is missing, as for any other required key', () => {
    const { publicUrl: _omitted, ...withoutPublicUrl } = config();
    expect(problemsOf(withoutPublicUrl)).toEqual(['publicUrl: required, but missing']);
  });

  it('refuses a publicUrl with a query or fragment, which would land inside every issuer (OIDC Discovery §3)', () => {
    for (const url of ['https://auth.example/?tenant=1', 'https://auth.example/#top'])
      expect(problemsOf(config({}, url))).toEqual([expect.stringMatching(/^publicUrl: must have no query or fragment/)]);
  });

  it('takes a publicUrl with a path (behind a proxy) and http on localhost in development', () => {
    expect(problemsOf(config({}, 'https://auth.example/federation/'))).toEqual([]);
    expect(problemsOf(config({}, 'http://localhost:8080'))).toEqual([]);
  });

  it("refuses an IdP's ssoUrl, sloUrl or metadataUrl that is not http(s), naming the key", () => {
    expect(problemsOf(config(idp({ ssoUrl: SCHEMELESS })))).toContainEqual(
      expect.stringMatching(/^realms\[0\]\.identityProviders\[0\]\.ssoUrl: must be an http\(s\) URL/),
    );
    expect(problemsOf(config(idp({ sloUrl: SCHEMELESS })))).toContainEqual(
      expect.stringMatching(/^realms\[0\]\.identityProviders\[0\]\.sloUrl: must be an http\(s\) URL/),
    );
    expect(problemsOf(config(idp({ metadataUrl: 'ftp://idp.example/metadata.xml' })))).toContainEqual(
      expect.stringMatching(/^realms\[0\]\.identityProviders\[0\]\.metadataUrl: must be an http\(s\) URL/),
    );
  });

  it("refuses a realm's FHIR base, a trusted issuer's jwksUri and a client's backchannelLogoutUri that are not http(s)", () => {
    expect(problemsOf(config({ fhir: { baseUrl: 'fhir.example:443/R4' } }))).toEqual([
      expect.stringMatching(/^realms\[0\]\.fhir\.baseUrl: must be an http\(s\) URL/),
    ]);
    expect(
      problemsOf(
        config({ trustedIssuers: [{ issuer: 'https://partner.example', jwksUri: 'partner.example:443/jwks', algorithms: ['ES256'] }] }),
      ),
    ).toEqual([expect.stringMatching(/^realms\[0\]\.trustedIssuers\[0\]\.jwksUri: must be an http\(s\) URL/)]);
    const client = { clientId: 'app', type: 'public', redirectUris: ['https://app.example/cb'], grantTypes: ['authorization_code'] };
    expect(problemsOf(config({ clients: [{ ...client, backchannelLogoutUri: 'app.example:443/logout' }] }))).toEqual([
      expect.stringMatching(/^realms\[0\]\.clients\[0\]\.backchannelLogoutUri: must be an http\(s\) URL/),
    ]);
  });

  it('takes http(s) URLs in each of those keys', () => {
    expect(problemsOf(config(idp({ sloUrl: 'https://idp.example/slo' })))).toEqual([]);
    expect(problemsOf(config({ fhir: { baseUrl: 'http://fhir:8080/R4' } }))).toEqual([]);
  });
});
