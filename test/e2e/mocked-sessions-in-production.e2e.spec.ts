import { createHash, randomBytes } from 'node:crypto';
import { startEmbeddedFhirServer, type EmbeddedFhirServer } from '../../src/fhir/embedded/embedded-fhir-server.js';
import type { Database } from '../../src/storage/database.js';
import { engines, type Scratch } from '../support/database-engines.js';
import { freePort } from '../support/free-port.js';
import { portalDelegation, portalRefresh, PUBLIC_CLIENT, redeemCode, refresh } from '../support/login-flow.js';
import { loginAsMockUser } from '../support/mock-login.js';
import { expectOAuthError } from '../support/oauth-error.js';
import { citizenAttributes } from '../support/saml/saml-attributes.js';
import { samlHttpLogin } from '../support/saml/saml-http-login.js';
import { startSamlTestServer } from '../support/saml/saml-test-server.js';
import { TEST_SECRETS } from '../support/test-config.js';
import { basic, postForm } from '../support/token-requests.js';

/**
 * A database a development instance filled, with a mocked user's sessions in it, started by an
 * instance in production: the mocked user's refresh tokens mint nothing more and their access tokens
 * introspect inactive, while a SAML login's session goes on. Both instances use one FHIR server of
 * their own (production refuses the embedded one) and the same port, so the same issuer.
 */
describe.each(engines)('a development database started in production, on $name', (engine) => {
  let scratch: Scratch;
  let db: Database;
  let fhir: EmbeddedFhirServer;

  beforeAll(async () => {
    scratch = await engine.createScratch();
    db = await scratch.connect();
    fhir = await startEmbeddedFhirServer({ environment: 'test', seedFile: 'fixtures/fhir/demo.json' });
  });
  afterAll(async () => {
    await fhir?.close();
    await scratch?.dispose();
  });

  it('refuses a mocked user’s refresh token from the development instance, and keeps a SAML login’s', async () => {
    const port = await freePort();
    const sharedFhir = (raw: Record<string, any>) => (raw.fhir = { baseUrl: fhir.baseUrl, timeoutMs: 2000 });
    const development = await startSamlTestServer({ port, overrides: { database: db }, patch: sharedFhir });
    const { baseUrl } = development.server;
    let mocked: Record<string, any>, delegated: string, saml: Record<string, any>;
    try {
      mocked = await mockLogin(development.issuer, 'alice');
      // RFC 8693 §2.2.1: the issued token, here the refresh token of a session delegated to the portal.
      delegated = (await portalDelegation(baseUrl, 'nemlogin', mocked.access_token)).body.access_token as string;
      const samlLogin = await samlHttpLogin(development.issuer, development.idp, PUBLIC_CLIENT, {
        attributes: citizenAttributes({ cpr: '0202021234' }),
      });
      expect(samlLogin.callback.searchParams.get('error')).toBeNull();
      saml = samlLogin.tokens!;
      // Usable in development: production is shown the tokens these refreshes return.
      mocked = (await refresh(baseUrl, 'nemlogin', mocked.refresh_token)).body;
      expect(mocked.refresh_token).toEqual(expect.any(String));
      delegated = (await portalRefresh(baseUrl, 'nemlogin', delegated)).body.refresh_token as string;
      expect(delegated).toEqual(expect.any(String));
    } finally {
      await development.server.close();
    }

    const production = await startSamlTestServer({
      port,
      overrides: { database: db },
      // As production's config must be: no mocked users (the schema refuses them there).
      patch: (raw) => {
        sharedFhir(raw);
        raw.realms[0].mockUsers = [];
      },
      adjust: (config) => {
        config.environment = 'production';
      },
    });
    try {
      expectOAuthError(await refresh(baseUrl, 'nemlogin', mocked.refresh_token), 400, 'invalid_grant');
      expectOAuthError(await portalRefresh(baseUrl, 'nemlogin', delegated), 400, 'invalid_grant');
      // Nor does its access token count: introspection, UserInfo, a new token exchange.
      expect(await introspect(baseUrl, mocked.access_token)).toBe(false);
      const userinfo = await fetch(`${baseUrl}/realms/nemlogin/protocol/openid-connect/userinfo`, {
        headers: { authorization: `Bearer ${mocked.access_token}` },
      });
      expect(userinfo.status).toBe(401);
      expect((await portalDelegation(baseUrl, 'nemlogin', mocked.access_token)).status).toBe(400);

      const refreshed = await refresh(baseUrl, 'nemlogin', saml.refresh_token);
      expect(refreshed.status).toBe(200);
      expect(await introspect(baseUrl, refreshed.body.access_token as string)).toBe(true);

      // The start recorded who ended them, and said so in a line without a name or identifier (close() checks).
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM audit_events WHERE type = 'LOGOUT' AND idp_alias = 'mock' AND details->>'by' = 'start'`,
      );
      expect(rows[0]!.n).toBe(2);
      const line = production.server.logs.find((entry) => entry.includes('sessions of mocked users ended'));
      expect(JSON.parse(line!)).toMatchObject({ level: 40, ssoSessions: 1, sessions: 2, reason: 'mocked_user_in_production' });
    } finally {
      await production.server.close();
    }
  });
});

/** A mocked user's login of the public client, past the chooser the realm's IdP beside them brings (`kc_idp_hint`): its tokens. */
async function mockLogin(issuer: string, username: string): Promise<Record<string, any>> {
  const verifier = randomBytes(32).toString('base64url');
  const authorize = new URL(`${issuer}/protocol/openid-connect/auth`);
  const params = {
    client_id: PUBLIC_CLIENT.clientId,
    redirect_uri: PUBLIC_CLIENT.redirectUri,
    response_type: 'code',
    scope: 'openid profile patient/*.read',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    kc_idp_hint: 'mock',
  };
  for (const [name, value] of Object.entries(params)) authorize.searchParams.set(name, value);
  const callback = await loginAsMockUser(authorize.href, username);
  const grant = await redeemCode(issuer, callback.searchParams.get('code')!, PUBLIC_CLIENT, verifier);
  expect(grant.status).toBe(200);
  return grant.body;
}

async function introspect(baseUrl: string, token: string): Promise<boolean> {
  const response = await postForm(`${baseUrl}/realms/nemlogin/protocol/openid-connect/token/introspect`, new URLSearchParams({ token }), {
    authorization: basic('system', TEST_SECRETS.system),
  });
  return (response.body as { active: boolean }).active;
}
