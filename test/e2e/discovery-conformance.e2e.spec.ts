import { createRemoteJWKSet, decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { loginTokens, PUBLIC_CLIENT } from '../support/login-flow.js';
import { XIS_CLIENT_PRIVATE_JWK } from '../support/test-config.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/** The three test realms sign with different algorithms (ES256, RS256, EdDSA). */
const REALMS = ['nemlogin', 'ehealth', 'ssl'] as const;

/** `ehealth` and `ssl` get the citizen and the public app `nemlogin` has, so every realm can log in. */
const everyRealmLogsIn = (raw: Record<string, any>) => {
  for (const realm of raw.realms.slice(1)) {
    realm.patientIdentifierSystem = raw.realms[0].patientIdentifierSystem;
    realm.mockUsers = raw.realms[0].mockUsers;
    realm.clients.push({
      clientId: PUBLIC_CLIENT.clientId,
      type: 'public',
      redirectUris: [PUBLIC_CLIENT.redirectUri],
      grantTypes: ['authorization_code', 'refresh_token'],
    });
  }
};

/**
 * What the realms' OpenID Provider metadata (OIDC Discovery 1.0 §3) advertises, checked against what
 * they do over HTTP: a client that configures itself from the metadata must not meet a claim, an
 * algorithm, a key or a language the metadata did not tell it of.
 */
describe('discovery, held to what the realms do', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ patch: everyRealmLogsIn });
  });
  afterAll(() => server.close());

  const issuerOf = (realm: string) => `${server.baseUrl}/realms/${realm}`;
  const metadataOf = async (realm: string) =>
    (await (await fetch(`${issuerOf(realm)}/.well-known/openid-configuration`)).json()) as Record<string, any>;

  it.each(REALMS)('%s: the ID token and UserInfo carry only claims that claims_supported lists', async (realm) => {
    const metadata = await metadataOf(realm);
    const tokens = await loginTokens(server.baseUrl, realm, 'alice', 'openid profile fhirUser launch/patient');
    const config = await oidc.discovery(new URL(issuerOf(realm)), PUBLIC_CLIENT.clientId, undefined, oidc.None(), {
      execute: [oidc.allowInsecureRequests],
    });
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token as string, oidc.skipSubjectCheck);
    const { payload: idToken } = await jwtVerify(tokens.id_token as string, createRemoteJWKSet(new URL(metadata.jwks_uri)));
    for (const [where, claims] of [
      ['ID token', idToken],
      ['UserInfo', userinfo],
    ] as const) {
      const unlisted = Object.keys(claims).filter((name) => !metadata.claims_supported.includes(name));
      expect([where, unlisted]).toEqual([where, []]);
    }
  });

  it.each(REALMS)('%s: its tokens are signed in advertised algorithms, by keys the JWKS publishes with use, alg and kid', async (realm) => {
    const metadata = await metadataOf(realm);
    const { keys } = (await (await fetch(metadata.jwks_uri)).json()) as { keys: Record<string, unknown>[] };
    for (const key of keys) expect(key).toEqual(expect.objectContaining({ use: 'sig', alg: expect.any(String), kid: expect.any(String) }));
    const advertised = [...metadata.id_token_signing_alg_values_supported, ...metadata.access_token_signing_alg_values_supported];
    expect(keys.filter((key) => !advertised.includes(key.alg))).toEqual([]);

    const tokens = await loginTokens(server.baseUrl, realm, 'alice', 'openid');
    const jwks = createRemoteJWKSet(new URL(metadata.jwks_uri));
    const issuer = issuerOf(realm);
    const idToken = await jwtVerify(tokens.id_token as string, jwks, {
      issuer,
      algorithms: metadata.id_token_signing_alg_values_supported,
    });
    const accessToken = await jwtVerify(tokens.access_token as string, jwks, {
      issuer,
      algorithms: metadata.access_token_signing_alg_values_supported,
    });
    for (const token of [idToken, accessToken]) {
      const published = keys.find((key) => key.kid === token.protectedHeader.kid);
      expect(published?.alg).toBe(token.protectedHeader.alg);
    }
    expect(decodeProtectedHeader(tokens.access_token as string).alg).toBe(metadata.access_token_signing_alg_values_supported[0]);
  });

  it('ui_locales_supported: each language it lists is the one the pages speak when ui_locales asks for it', async () => {
    const metadata = await metadataOf('nemlogin');
    expect(metadata.ui_locales_supported).toEqual(expect.arrayContaining(['en']));
    for (const locale of metadata.ui_locales_supported as string[]) {
      // The page for a redirect URI the client did not register: shown to the person, in their language.
      const authorize = new URL(metadata.authorization_endpoint);
      authorize.search = new URLSearchParams({
        client_id: PUBLIC_CLIENT.clientId,
        redirect_uri: 'https://elsewhere.example/cb',
        response_type: 'code',
        ui_locales: `${locale}-XX`,
      }).toString();
      const page = await (await fetch(authorize)).text();
      expect([locale, /<html lang="([^"]+)"/.exec(page)?.[1]]).toEqual([locale, locale]);
    }
  });

  /** OIDC Core §5.4: the scopes that ask for claims, and the claims each asks for. */
  const CLAIM_SCOPES: Record<string, string[]> = {
    profile: ['name', 'family_name', 'given_name', 'middle_name', 'nickname', 'preferred_username', 'profile', 'picture'],
    email: ['email', 'email_verified'],
    address: ['address'],
    phone: ['phone_number', 'phone_number_verified'],
  };

  it.each(Object.keys(CLAIM_SCOPES))(
    '%s (OIDC Core §5.4): granted only where scopes_supported lists it, and then it brings its claims',
    async (scope) => {
      // ehealth's app has no scopes list: it may get whatever the realm offers.
      const metadata = await metadataOf('ehealth');
      const tokens = await loginTokens(server.baseUrl, 'ehealth', 'alice', `openid ${scope}`);
      const granted = (tokens.scope as string).split(' ').includes(scope);
      expect([scope, granted]).toEqual([scope, metadata.scopes_supported.includes(scope)]);
      if (!granted) return;
      const userinfo = (await (
        await fetch(metadata.userinfo_endpoint, { headers: { authorization: `Bearer ${tokens.access_token}` } })
      ).json()) as Record<string, unknown>;
      expect(CLAIM_SCOPES[scope]!.filter((claim) => userinfo[claim] !== undefined)).not.toEqual([]);
    },
  );

  it.each(REALMS)(
    '%s: REQUIRED members present and of their types (Discovery §3, RFC 8414 §2), alike at the RFC 8414 path; SMART agrees',
    async (realm) => {
      const metadata = await metadataOf(realm);
      const issuer = issuerOf(realm);
      expect(metadata.issuer).toBe(issuer);
      for (const url of ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'userinfo_endpoint'])
        expect(new URL(metadata[url]).href.startsWith(`${issuer}/`)).toBe(true);
      for (const [name, value] of Object.entries(metadata)) {
        if (name.endsWith('_supported') && typeof value !== 'boolean') {
          expect([name, Array.isArray(value) && value.every((v: unknown) => typeof v === 'string')]).toEqual([name, true]);
        }
        if (name.endsWith('_endpoint') || name.endsWith('_uri') || name.endsWith('_iframe')) expect(typeof value).toBe('string');
      }
      for (const required of ['response_types_supported', 'subject_types_supported', 'id_token_signing_alg_values_supported'])
        expect(metadata[required].length).toBeGreaterThan(0);
      // Discovery §3: RS256 MUST be listed; RFC 8414 §2: "none" MUST NOT be a client authentication algorithm.
      expect(metadata.id_token_signing_alg_values_supported).toContain('RS256');
      for (const algs of ['token_endpoint', 'introspection_endpoint', 'revocation_endpoint'])
        expect(metadata[`${algs}_auth_signing_alg_values_supported`]).not.toContain('none');
      // Discovery §3: absent, request_uri_parameter_supported would mean true.
      expect(metadata).toMatchObject({ request_parameter_supported: false, request_uri_parameter_supported: false });

      const rfc8414 = await (await fetch(`${server.baseUrl}/.well-known/oauth-authorization-server/realms/${realm}`)).json();
      expect(rfc8414).toEqual(metadata);

      const smart = (await (await fetch(`${issuer}/.well-known/smart-configuration`)).json()) as Record<string, any>;
      for (const shared of [
        'issuer',
        'jwks_uri',
        'authorization_endpoint',
        'token_endpoint',
        'introspection_endpoint',
        'revocation_endpoint',
        'grant_types_supported',
        'response_types_supported',
        'code_challenge_methods_supported',
        'token_endpoint_auth_methods_supported',
        'token_endpoint_auth_signing_alg_values_supported',
        'scopes_supported',
      ])
        expect([shared, smart[shared]]).toEqual([shared, metadata[shared]]);
      expect(smart.code_challenge_methods_supported).toContain('S256');
      expect(smart.code_challenge_methods_supported).not.toContain('plain');
      expect(smart.capabilities).toEqual(expect.any(Array));
    },
  );

  it('introspection and revocation take private_key_jwt, as their *_auth_methods_supported say (openid-client)', async () => {
    const metadata = await metadataOf('nemlogin');
    expect(metadata.introspection_endpoint_auth_methods_supported).toContain('private_key_jwt');
    expect(metadata.revocation_endpoint_auth_methods_supported).toContain('private_key_jwt');
    const key = (await importJWK(XIS_CLIENT_PRIVATE_JWK, 'ES256')) as oidc.CryptoKey;
    const config = await oidc.discovery(
      new URL(issuerOf('nemlogin')),
      'xis',
      undefined,
      oidc.PrivateKeyJwt({ key, kid: XIS_CLIENT_PRIVATE_JWK.kid }),
      { execute: [oidc.allowInsecureRequests] },
    );
    const { access_token } = await oidc.clientCredentialsGrant(config);
    expect(await oidc.tokenIntrospection(config, access_token)).toMatchObject({ active: true, client_id: 'xis' });
    await oidc.tokenRevocation(config, access_token);
    expect(await oidc.tokenIntrospection(config, access_token)).toEqual({ active: false });
  });

  it('a public client revokes by client_id alone ("none"), and may not introspect, which does not list "none"', async () => {
    const metadata = await metadataOf('nemlogin');
    expect(metadata.revocation_endpoint_auth_methods_supported).toContain('none');
    expect(metadata.introspection_endpoint_auth_methods_supported).not.toContain('none');
    const tokens = await loginTokens(server.baseUrl, 'nemlogin', 'alice');
    const config = await oidc.discovery(new URL(issuerOf('nemlogin')), PUBLIC_CLIENT.clientId, undefined, oidc.None(), {
      execute: [oidc.allowInsecureRequests],
    });
    await expect(oidc.tokenIntrospection(config, tokens.access_token as string)).rejects.toThrow();
    await oidc.tokenRevocation(config, tokens.refresh_token as string);
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token as string)).rejects.toThrow();
  });

  it.each([
    ['request', 'request_not_supported'],
    ['request_uri', 'request_uri_not_supported'],
  ])('%s, which discovery calls unsupported, comes back as %s (OIDC Core §3.1.2.6), with iss', async (parameter, error) => {
    const metadata = await metadataOf('nemlogin');
    expect(metadata[`${parameter}_parameter_supported`]).toBe(false);
    const authorize = new URL(metadata.authorization_endpoint);
    authorize.search = new URLSearchParams({
      client_id: PUBLIC_CLIENT.clientId,
      redirect_uri: PUBLIC_CLIENT.redirectUri,
      response_type: 'code',
      state: 's',
      [parameter]: parameter === 'request' ? 'eyJhbGciOiJub25lIn0.e30.' : 'urn:example:request',
    }).toString();
    const response = await fetch(authorize, { redirect: 'manual' });
    expect(response.status).toBe(303);
    const callback = new URL(response.headers.get('location')!);
    expect(Object.fromEntries(callback.searchParams)).toEqual({ error, state: 's', iss: metadata.issuer });
  });
});
