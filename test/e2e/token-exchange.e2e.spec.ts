import { createRemoteJWKSet, decodeJwt, exportJWK, generateKeyPair, jwtVerify, SignJWT, type JWK } from 'jose';
import { DATABASE, type Database } from '../../src/storage/database.js';
import { loginTokens } from '../support/login-flow.js';
import { TestClock } from '../support/test-clock.js';
import { TEST_SECRETS, TEST_TENANTS } from '../support/test-config.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { basic, postForm, type RawResponse } from '../support/token-requests.js';
import { expectOAuthError } from '../support/oauth-error.js';

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';
const JWT = 'urn:ietf:params:oauth:token-type:jwt';
const EXTERNAL_ISSUER = 'https://idp.partner.example';

/** RFC 8693 delegation: the portal exchanges a patient's token for the XIS, per tenant (organisation_agb). */
describe('token exchange and tenancy', () => {
  const clock = new TestClock();
  let server: TestServer;
  let issuer: string;
  let externalKey: CryptoKey;
  let externalPublic: JWK;

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    externalKey = pair.privateKey;
    externalPublic = { ...(await exportJWK(pair.publicKey)), kid: 'partner-1', alg: 'ES256' };
    server = await startTestServer({
      overrides: { clock },
      patch: (raw) => {
        raw.realms[0].clients.push({
          clientId: 'clinic-b',
          type: 'confidential',
          secret: TEST_SECRETS.web,
          grantTypes: ['client_credentials'],
          tenants: [TEST_TENANTS.other],
        });
        raw.realms[0].trustedIssuers = [{ issuer: EXTERNAL_ISSUER, jwks: { keys: [externalPublic] }, algorithms: ['ES256'] }];
        raw.realms[1].mockUsers = [{ username: 'doc', kind: 'clinician', identifiers: [{ system: 'urn:test', value: 'doc' }] }];
        raw.realms[1].clients = [
          {
            clientId: 'patient-app',
            type: 'public',
            redirectUris: ['http://127.0.0.1/callback'],
            grantTypes: ['authorization_code'],
            scopes: ['openid', 'patient/*.read'],
          },
        ];
      },
    });
    issuer = `${server.baseUrl}/realms/nemlogin`;
  });
  afterAll(() => server.close());

  const portal = {
    authorization: basic('portal', TEST_SECRETS.portal),
    organisation_agb: `http://fhir.nl/fhir/NamingSystem/agb-z|${TEST_TENANTS.allowed}`,
  };
  const exchange = (
    subjectToken: string,
    extra: Record<string, string> = {},
    headers: Record<string, string> = portal,
  ): Promise<RawResponse> =>
    postForm(
      `${issuer}/protocol/openid-connect/token`,
      new URLSearchParams({
        grant_type: EXCHANGE,
        subject_token: subjectToken,
        subject_token_type: ACCESS_TOKEN,
        audience: 'xis',
        ...extra,
      }),
      headers,
    );
  /** An exchange whose form may repeat parameters (URLSearchParams.append). */
  const exchangeRepeating = (subjectToken: string, pairs: [string, string][]): Promise<RawResponse> =>
    postForm(
      `${issuer}/protocol/openid-connect/token`,
      new URLSearchParams([['grant_type', EXCHANGE], ['subject_token', subjectToken], ['subject_token_type', ACCESS_TOKEN], ...pairs]),
      portal,
    );
  const patientLogin = () => loginTokens(server.baseUrl, 'nemlogin', 'alice');
  const expectRefused = (response: RawResponse, error: string) => {
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error, error_description: expect.any(String) });
  };

  it('portal → XIS: the exchanged token keeps the patient’s sub, gains act and the tenant, narrows the scope, and verifies against the JWKS', async () => {
    const patient = await patientLogin();
    const response = await exchange(patient.access_token, { scope: 'patient/*.read' });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.body).toMatchObject({ issued_token_type: ACCESS_TOKEN, token_type: 'Bearer', scope: 'patient/*.read' });

    const { payload, protectedHeader } = await jwtVerify(
      response.body.access_token as string,
      createRemoteJWKSet(new URL(`${issuer}/protocol/openid-connect/certs`)),
      { issuer, audience: 'xis', typ: 'at+jwt' },
    );
    const subject = await jwtVerify(patient.access_token, createRemoteJWKSet(new URL(`${issuer}/protocol/openid-connect/certs`)));
    expect(protectedHeader.typ).toBe('at+jwt');
    expect(payload).toMatchObject({
      sub: subject.payload.sub,
      sid: subject.payload.sid,
      user_type: 'PATIENT',
      client_id: 'portal',
      act: { sub: 'portal', client_id: 'portal' },
      organisation_agb: TEST_TENANTS.allowed,
      scope: 'patient/*.read',
    });
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(300);
  });

  it('an exchanged token exchanged again nests the earlier actor', async () => {
    const first = await exchange((await patientLogin()).access_token, { audience: 'xis-archive' });
    const again = await exchange(first.body.access_token as string);
    expect(again.status).toBe(200);
    const { payload } = await jwtVerify(
      again.body.access_token as string,
      createRemoteJWKSet(new URL(`${issuer}/protocol/openid-connect/certs`)),
    );
    expect(payload.act).toEqual({ sub: 'portal', client_id: 'portal', act: { sub: 'portal', client_id: 'portal' } });
  });

  it('several targets: audience and resource may each repeat (RFC 8693 §2.1), every value one name', async () => {
    const patient = await patientLogin();
    const audiences = await exchangeRepeating(patient.access_token, [
      ['audience', 'xis'],
      ['audience', 'xis-archive'],
    ]);
    expect(audiences.status).toBe(200);
    expect(decodeJwt(audiences.body.access_token as string).aud).toEqual(['xis', 'xis-archive']);

    const resources = await exchangeRepeating(patient.access_token, [
      ['resource', 'xis-archive'],
      ['resource', 'xis'],
    ]);
    expect(resources.status).toBe(200);
    expect(decodeJwt(resources.body.access_token as string).aud).toEqual(['xis-archive', 'xis']);

    // A space is part of one audience value, not a separator: this names no registered target.
    expectRefused(await exchange(patient.access_token, { audience: 'xis xis-archive' }), 'invalid_target');
  });

  it('accepts a JWT of a trusted external issuer, with its key and allowed algorithm, keeping only who the subject is', async () => {
    const token = await new SignJWT({
      scope: 'patient/*.read',
      user_type: 'PATIENT',
      sid: 'not-our-session',
      realm_access: { roles: ['admin'] },
    })
      .setProtectedHeader({ alg: 'ES256', kid: 'partner-1' })
      .setIssuer(EXTERNAL_ISSUER)
      .setSubject('partner-user-7')
      .setAudience(issuer)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(externalKey);
    const response = await exchange(token, { subject_token_type: JWT });
    expect(response.status).toBe(200);
    const claims = decodeJwt(response.body.access_token as string);
    expect(claims).toMatchObject({ sub: 'partner-user-7', user_type: 'PATIENT', act: { sub: 'portal' } });
    expect(claims).not.toHaveProperty('sid');
    expect(claims).not.toHaveProperty('realm_access');
  });

  it('refuses a subject token issued to a client the policy does not accept', async () => {
    const strict = await startTestServer({
      patch: (raw) => {
        raw.realms[0].clients.find((c: { clientId: string }) => c.clientId === 'portal').tokenExchange = {
          audiences: ['xis'],
          subjectClients: ['some-other-app'],
        };
      },
    });
    try {
      const patient = await loginTokens(strict.baseUrl, 'nemlogin', 'alice');
      const response = await postForm(
        `${strict.baseUrl}/realms/nemlogin/protocol/openid-connect/token`,
        new URLSearchParams({
          grant_type: EXCHANGE,
          subject_token: patient.access_token,
          subject_token_type: ACCESS_TOKEN,
          audience: 'xis',
        }),
        portal,
      );
      expectRefused(response, 'invalid_request');
    } finally {
      await strict.close();
    }
  });

  describe('refusals', () => {
    it('a client not enabled for token exchange', async () => {
      const response = await exchange((await patientLogin()).access_token, {}, { authorization: basic('system', TEST_SECRETS.system) });
      expectRefused(response, 'unauthorized_client');
    });

    it('an audience the policy does not allow', async () =>
      expectRefused(await exchange((await patientLogin()).access_token, { audience: 'billing' }), 'invalid_target'));
    it('a resource the policy does not allow', async () =>
      expectRefused(await exchange((await patientLogin()).access_token, { resource: 'https://evil.example/' }), 'invalid_target'));
    it('any other parameter repeated (RFC 6749 §3.1), and audience or resource repeated by another grant', async () => {
      const patient = await patientLogin();
      for (const repeated of [
        [
          ['audience', 'xis'],
          ['scope', 'patient/*.read'],
          ['scope', 'patient/*.read'],
        ],
        [
          ['audience', 'xis'],
          ['subject_token', patient.access_token],
        ],
        [
          ['audience', 'xis'],
          ['requested_token_type', ACCESS_TOKEN],
          ['requested_token_type', ACCESS_TOKEN],
        ],
      ] as [string, string][][]) {
        expectRefused(await exchangeRepeating(patient.access_token, repeated), 'invalid_request');
      }
      const credentials = await postForm(
        `${issuer}/protocol/openid-connect/token`,
        new URLSearchParams([
          ['grant_type', 'client_credentials'],
          ['audience', 'xis'],
          ['audience', 'xis'],
        ]),
        { authorization: basic('system', TEST_SECRETS.system) },
      );
      expectRefused(credentials, 'invalid_request');
    });

    it('more than ten values of audience or resource, even all allowed', async () => {
      const patient = await patientLogin();
      const times = (name: string, n: number) => Array.from({ length: n }, (): [string, string] => [name, 'xis']);
      expect((await exchangeRepeating(patient.access_token, times('audience', 10))).status).toBe(200);
      expectRefused(await exchangeRepeating(patient.access_token, times('audience', 11)), 'invalid_request');
      expectRefused(await exchangeRepeating(patient.access_token, times('resource', 1000)), 'invalid_request');
    });

    it('scope widening', async () =>
      expectRefused(await exchange((await patientLogin()).access_token, { scope: 'patient/*.read xis' }), 'invalid_scope'));

    it('an expired subject token', async () => {
      const patient = await patientLogin();
      clock.advance(301);
      expectRefused(await exchange(patient.access_token), 'invalid_request');
    });

    it('a revoked subject token', async () => {
      const patient = await patientLogin();
      await postForm(
        `${issuer}/protocol/openid-connect/revoke`,
        new URLSearchParams({ token: patient.access_token, client_id: 'patient-app' }),
      );
      expectRefused(await exchange(patient.access_token), 'invalid_request');
    });

    it('a subject token of a logged-out session', async () => {
      const patient = await patientLogin();
      await fetch(`${issuer}/protocol/openid-connect/logout?${new URLSearchParams({ id_token_hint: patient.id_token })}`);
      expectRefused(await exchange(patient.access_token), 'invalid_request');
    });

    it('an ID token or a refresh token as subject token', async () => {
      const patient = await patientLogin();
      expectRefused(await exchange(patient.id_token), 'invalid_request');
      expectRefused(await exchange(patient.refresh_token), 'invalid_request');
    });

    it('a token of another realm', async () => {
      const other = await loginTokens(server.baseUrl, 'ehealth', 'doc', 'openid');
      expectRefused(await exchange(other.access_token), 'invalid_request');
    });

    it('an untrusted external issuer, and a trusted issuer’s token signed by another key', async () => {
      const { privateKey } = await generateKeyPair('ES256');
      const forged = (iss: string) =>
        new SignJWT({})
          .setProtectedHeader({ alg: 'ES256', kid: 'partner-1' })
          .setIssuer(iss)
          .setSubject('x')
          .setAudience(issuer)
          .setExpirationTime('5m')
          .sign(privateKey);
      expectRefused(await exchange(await forged('https://unknown.example'), { subject_token_type: JWT }), 'invalid_request');
      expectRefused(await exchange(await forged(EXTERNAL_ISSUER), { subject_token_type: JWT }), 'invalid_request');
    });

    it('alg none and HS256 keyed with the public key', async () => {
      const encode = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const claims = { iss: EXTERNAL_ISSUER, sub: 'x', aud: issuer, exp: Math.floor(Date.now() / 1000) + 300 };
      const none = `${encode({ alg: 'none' })}.${encode(claims)}.`;
      const hs256 = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', kid: 'partner-1' })
        .sign(new TextEncoder().encode(JSON.stringify(externalPublic)));
      for (const token of [none, hs256]) {
        expectRefused(await exchange(token, { subject_token_type: JWT }), 'invalid_request');
        expectRefused(await exchange(token), 'invalid_request');
      }
    });

    it('tenant header missing or malformed', async () => {
      const patient = await patientLogin();
      expectRefused(await exchange(patient.access_token, {}, { authorization: portal.authorization }), 'invalid_request');
      expectRefused(
        await exchange(patient.access_token, {}, { ...portal, organisation_agb: 'http://fhir.nl/fhir/NamingSystem/ura|01234567' }),
        'invalid_request',
      );
      expectRefused(await exchange(patient.access_token, {}, { ...portal, organisation_agb: '123' }), 'invalid_request');
    });

    it('a tenant the client may not act for', async () => {
      expectRefused(
        await exchange((await patientLogin()).access_token, {}, { ...portal, organisation_agb: TEST_TENANTS.forbidden }),
        'unauthorized_client',
      );
    });

    it('a header naming another tenant than the subject token’s', async () => {
      const bound = await exchange((await patientLogin()).access_token);
      // Both tenants are the portal's: the refusal is that the subject token belongs to the first.
      expectRefused(
        await exchange(bound.body.access_token as string, {}, { ...portal, organisation_agb: TEST_TENANTS.other }),
        'invalid_request',
      );
    });

    it('requested_token_type other than an access token', async () => {
      expectRefused(
        await exchange((await patientLogin()).access_token, { requested_token_type: 'urn:ietf:params:oauth:token-type:id_token' }),
        'invalid_request',
      );
    });
  });

  describe('a refresh token for the portal (policy allows it)', () => {
    const REFRESH = 'urn:ietf:params:oauth:token-type:refresh_token';

    it('lives in the patient’s session: the portal refreshes into act-bearing XIS tokens until the patient logs out', async () => {
      const patient = await patientLogin();
      const issued = await exchange(patient.access_token, { requested_token_type: REFRESH, scope: 'patient/*.read' });
      expect(issued.status).toBe(200);
      expect(issued.body).toMatchObject({ issued_token_type: REFRESH, token_type: 'N_A', scope: 'patient/*.read' });

      const portalRefresh = (token: string) =>
        postForm(`${issuer}/protocol/openid-connect/token`, new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token }), {
          authorization: portal.authorization,
          organisation_agb: portal.organisation_agb,
        });
      const refreshed = await portalRefresh(issued.body.access_token as string);
      expect(refreshed.status).toBe(200);
      expect(refreshed.body).not.toHaveProperty('id_token');
      const claims = decodeJwt(refreshed.body.access_token as string);
      expect(claims).toMatchObject({
        sub: decodeJwt(patient.access_token).sub,
        aud: 'xis',
        client_id: 'portal',
        act: { sub: 'portal' },
        organisation_agb: TEST_TENANTS.allowed,
      });

      await fetch(`${issuer}/protocol/openid-connect/logout?${new URLSearchParams({ id_token_hint: patient.id_token })}`);
      expectOAuthError(await portalRefresh(refreshed.body.refresh_token as string), 400, 'invalid_grant');
    });

    it('ends, with its LOGOUT and back-channel logout, when the patient’s app revokes the session it was delegated from', async () => {
      const patient = await patientLogin();
      const issued = await exchange(patient.access_token, { requested_token_type: REFRESH });
      expect(issued.status).toBe(200);
      const parentSid = decodeJwt(patient.access_token).sid as string;
      const db = server.app.get<Database>(DATABASE);
      const [child] = (await db.query<{ id: string }>('SELECT id FROM sessions WHERE parent_id = $1', [parentSid])).rows;

      const revoked = await postForm(
        `${issuer}/protocol/openid-connect/revoke`,
        new URLSearchParams({ token: patient.refresh_token, client_id: 'patient-app' }),
      );
      expect(revoked.status).toBe(200);
      const { rows } = await db.query<{ session_id: string; client_id: string }>(
        "SELECT session_id, client_id FROM audit_events WHERE type = 'LOGOUT' AND session_id = ANY($1)",
        [[parentSid, child!.id]],
      );
      // Ordered here, not by the database, whose collation need not be JavaScript's.
      const bySession = (a: { session_id: string }, b: { session_id: string }) => a.session_id.localeCompare(b.session_id);
      expect(rows.sort(bySession)).toEqual(
        [
          { session_id: parentSid, client_id: 'patient-app' },
          { session_id: child!.id, client_id: 'portal' },
        ].sort(bySession),
      );
      const queued = await db.query('SELECT 1 FROM backchannel_logouts WHERE session_id = $1', [child!.id]);
      expect(queued.rows).toHaveLength(1);
    });

    it('gets no LOGOUT nor back-channel logout when it had already run out as the session it was delegated from is revoked', async () => {
      const patient = await patientLogin();
      expect((await exchange(patient.access_token, { requested_token_type: REFRESH })).status).toBe(200);
      const parentSid = decodeJwt(patient.access_token).sid as string;
      const db = server.app.get<Database>(DATABASE);
      const [child] = (await db.query<{ id: string }>('SELECT id FROM sessions WHERE parent_id = $1', [parentSid])).rows;
      // Its idle end passed: it ran out, which is no event (migration 013).
      await db.query('UPDATE sessions SET idle_expires_at = created_at WHERE id = $1', [child!.id]);

      const revoked = await postForm(
        `${issuer}/protocol/openid-connect/revoke`,
        new URLSearchParams({ token: patient.refresh_token, client_id: 'patient-app' }),
      );
      expect(revoked.status).toBe(200);
      const { rows } = await db.query<{ session_id: string }>(
        "SELECT session_id FROM audit_events WHERE type = 'LOGOUT' AND session_id = ANY($1)",
        [[parentSid, child!.id]],
      );
      expect(rows).toEqual([{ session_id: parentSid }]);
      expect((await db.query('SELECT 1 FROM backchannel_logouts WHERE session_id = $1', [child!.id])).rows).toHaveLength(0);
    });

    it('cannot be chained: a delegated session does not delegate again', async () => {
      const patient = await patientLogin();
      const child = await exchange(patient.access_token, { requested_token_type: REFRESH });
      const childAccess = await postForm(
        `${issuer}/protocol/openid-connect/token`,
        new URLSearchParams({ grant_type: 'refresh_token', refresh_token: child.body.access_token as string }),
        portal,
      );
      expect(childAccess.status).toBe(200);
      expectRefused(await exchange(childAccess.body.access_token as string, { requested_token_type: REFRESH }), 'invalid_request');
    });

    it('is refused to a client whose policy does not allow it', async () => {
      const lite = await startTestServer({
        patch: (raw) => {
          const portalConfig = raw.realms[0].clients.find((c: { clientId: string }) => c.clientId === 'portal');
          portalConfig.tokenExchange = { audiences: ['xis'] };
        },
      });
      try {
        const patient = await loginTokens(lite.baseUrl, 'nemlogin', 'alice');
        const response = await postForm(
          `${lite.baseUrl}/realms/nemlogin/protocol/openid-connect/token`,
          new URLSearchParams({
            grant_type: EXCHANGE,
            subject_token: patient.access_token,
            subject_token_type: ACCESS_TOKEN,
            audience: 'xis',
            requested_token_type: REFRESH,
          }),
          portal,
        );
        expectRefused(response, 'invalid_request');
      } finally {
        await lite.close();
      }
    });
  });

  describe('tenancy of presented tokens', () => {
    it('introspection and userinfo refuse a token of another tenant than the header names', async () => {
      const exchanged = (await exchange((await patientLogin()).access_token)).body.access_token as string;
      const introspect = (agb?: string) =>
        postForm(`${issuer}/protocol/openid-connect/token/introspect`, new URLSearchParams({ token: exchanged }), {
          authorization: basic('system', TEST_SECRETS.system),
          ...(agb ? { organisation_agb: agb } : {}),
        });
      expect((await introspect(TEST_TENANTS.allowed)).body).toMatchObject({ active: true, organisation_agb: TEST_TENANTS.allowed });
      expect((await introspect(TEST_TENANTS.other)).body).toEqual({ active: false });
      expect((await introspect('not-agb')).status).toBe(400);

      // A tenant-bound client does not see tokens of tenants it may not act for, header or not.
      const asClinicB = await postForm(`${issuer}/protocol/openid-connect/token/introspect`, new URLSearchParams({ token: exchanged }), {
        authorization: basic('clinic-b', TEST_SECRETS.web),
      });
      expect(asClinicB.body).toEqual({ active: false });

      const userinfo = (agb: string) =>
        fetch(`${issuer}/protocol/openid-connect/userinfo`, { headers: { authorization: `Bearer ${exchanged}`, organisation_agb: agb } });
      expect((await userinfo(TEST_TENANTS.allowed)).status).toBe(200);
      expect((await userinfo(TEST_TENANTS.other)).status).toBe(401);
    });

    it('introspection answers a malformed organisation_agb header alike for a live and a junk token (RFC 7662 §2.2)', async () => {
      const live = (await exchange((await patientLogin()).access_token)).body.access_token as string;
      const introspect = (token: string, agb: string) =>
        postForm(`${issuer}/protocol/openid-connect/token/introspect`, new URLSearchParams({ token }), {
          authorization: basic('system', TEST_SECRETS.system),
          organisation_agb: agb,
        });
      for (const malformed of ['not-agb', 'http://fhir.nl/fhir/NamingSystem/ura|01234567', '123']) {
        const forLive = await introspect(live, malformed);
        const forJunk = await introspect('junk', malformed);
        expect({ status: forLive.status, body: forLive.body }).toEqual({ status: forJunk.status, body: forJunk.body });
        expectRefused(forJunk, 'invalid_request');
      }
    });
  });
});
