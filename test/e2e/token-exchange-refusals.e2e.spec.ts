import { decodeJwt, generateKeyPair, SignJWT } from 'jose';
import { loginTokens } from '../support/login-flow.js';
import { TEST_SECRETS, TEST_TENANTS } from '../support/test-config.js';
import { basic, postForm } from '../support/token-requests.js';
import {
  ACCESS_TOKEN,
  EXTERNAL_ISSUER,
  expectRefused,
  JWT,
  PORTAL_HEADERS,
  exchangeServerForSuite,
} from '../support/token-exchange-server.js';

/** RFC 8693 token exchange (token-exchange.e2e.spec.ts): what it refuses, and whose tenant its tokens carry. */
describe('token exchange and tenancy', () => {
  const h = exchangeServerForSuite();

  describe('refusals', () => {
    it('a client not enabled for token exchange', async () => {
      const response = await h.exchange((await h.patientLogin()).access_token, {}, { authorization: basic('system', TEST_SECRETS.system) });
      expectRefused(response, 'unauthorized_client');
    });

    it('an audience the policy does not allow', async () =>
      expectRefused(await h.exchange((await h.patientLogin()).access_token, { audience: 'billing' }), 'invalid_target'));
    it('a resource the policy does not allow', async () =>
      expectRefused(await h.exchange((await h.patientLogin()).access_token, { resource: 'https://evil.example/' }), 'invalid_target'));
    it('any other parameter repeated (RFC 6749 §3.1), and audience or resource repeated by another grant', async () => {
      const patient = await h.patientLogin();
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
        expectRefused(await h.exchangeRepeating(patient.access_token, repeated), 'invalid_request');
      }
      const credentials = await postForm(
        `${h.issuer}/protocol/openid-connect/token`,
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
      const patient = await h.patientLogin();
      const times = (name: string, n: number) => Array.from({ length: n }, (): [string, string] => [name, 'xis']);
      expect((await h.exchangeRepeating(patient.access_token, times('audience', 10))).status).toBe(200);
      expectRefused(await h.exchangeRepeating(patient.access_token, times('audience', 11)), 'invalid_request');
      expectRefused(await h.exchangeRepeating(patient.access_token, times('resource', 50)), 'invalid_request');
      // A thousand are more pairs than any form may have (request-bodies.ts): refused before it is parsed, as too large.
      const thousand = await h.exchangeRepeating(patient.access_token, times('resource', 1000));
      expect(thousand).toMatchObject({ status: 413, body: { error: 'invalid_request' } });
    });

    it('a subject token of its own bringing more actors than a partner’s may (RFC 8693 §4.1: act chains stay bounded)', async () => {
      let token = (await h.patientLogin()).access_token;
      // Each exchange nests one actor more, up to 8 (MAX_ACTORS, a partner's limit too); a subject of 8 is refused.
      for (let depth = 1; depth <= 8; depth++) {
        const response = await h.exchange(token);
        expect(response.status).toBe(200);
        token = response.body.access_token as string;
      }
      let depth = 0;
      for (let act = decodeJwt(token).act as { act?: unknown } | undefined; act !== undefined; act = act.act as typeof act) depth++;
      expect(depth).toBe(8);
      expectRefused(await h.exchange(token), 'invalid_request');
    });

    it('scope widening', async () =>
      expectRefused(await h.exchange((await h.patientLogin()).access_token, { scope: 'patient/*.read xis' }), 'invalid_scope'));

    it('a scope of spaces only, which names nothing (RFC 6749 §3.3)', async () =>
      expectRefused(await h.exchange((await h.patientLogin()).access_token, { scope: '  ' }), 'invalid_scope'));

    it('an expired subject token', async () => {
      const patient = await h.patientLogin();
      h.clock.advance(301);
      expectRefused(await h.exchange(patient.access_token), 'invalid_request');
    });

    it('a revoked subject token', async () => {
      const patient = await h.patientLogin();
      await postForm(
        `${h.issuer}/protocol/openid-connect/revoke`,
        new URLSearchParams({ token: patient.access_token, client_id: 'patient-app' }),
      );
      expectRefused(await h.exchange(patient.access_token), 'invalid_request');
    });

    it('a subject token of a logged-out session', async () => {
      const patient = await h.patientLogin();
      await fetch(`${h.issuer}/protocol/openid-connect/logout?${new URLSearchParams({ id_token_hint: patient.id_token })}`);
      expectRefused(await h.exchange(patient.access_token), 'invalid_request');
    });

    it('an ID token or a refresh token as subject token', async () => {
      const patient = await h.patientLogin();
      expectRefused(await h.exchange(patient.id_token), 'invalid_request');
      expectRefused(await h.exchange(patient.refresh_token), 'invalid_request');
    });

    it('a token of another realm', async () => {
      const other = await loginTokens(h.server.baseUrl, 'ehealth', 'doc', 'openid');
      expectRefused(await h.exchange(other.access_token), 'invalid_request');
    });

    it('an untrusted external issuer, and a trusted issuer’s token signed by another key', async () => {
      const { privateKey } = await generateKeyPair('ES256');
      const forged = (iss: string) =>
        new SignJWT({})
          .setProtectedHeader({ alg: 'ES256', kid: 'partner-1' })
          .setIssuer(iss)
          .setSubject('x')
          .setAudience(h.issuer)
          .setExpirationTime('5m')
          .sign(privateKey);
      expectRefused(await h.exchange(await forged('https://unknown.example'), { subject_token_type: JWT }), 'invalid_request');
      expectRefused(await h.exchange(await forged(EXTERNAL_ISSUER), { subject_token_type: JWT }), 'invalid_request');
    });

    it('a trusted issuer’s token whose claims are not of this service’s shapes: a subject that may be a BSN, a patient that is no FHIR id', async () => {
      const signed = (claims: Record<string, unknown>) =>
        new SignJWT(claims)
          .setProtectedHeader({ alg: 'ES256', kid: 'partner-1' })
          .setIssuer(EXTERNAL_ISSUER)
          .setAudience(h.issuer)
          // On the suite's clock, which earlier specs moved on.
          .setExpirationTime(Math.floor(h.clock.now().getTime() / 1000) + 300)
          .sign(h.externalKey);
      const good = await h.exchange(await signed({ sub: 'partner-user-7', patient: 'p-1' }), { subject_token_type: JWT });
      expect(good.status).toBe(200);
      for (const claims of [
        { sub: '123456782', patient: 'p-1' },
        { sub: 'partner-user-7', patient: { reference: 'Patient/p-1' } },
      ]) {
        expectRefused(await h.exchange(await signed(claims), { subject_token_type: JWT }), 'invalid_request');
      }
    });

    it('a trusted issuer’s scope only as far as its subject bears it: a patient-level scope beside a patient', async () => {
      const signed = (claims: Record<string, unknown>) =>
        new SignJWT({ scope: 'xis patient/*.read', ...claims })
          .setProtectedHeader({ alg: 'ES256', kid: 'partner-1' })
          .setIssuer(EXTERNAL_ISSUER)
          .setAudience(h.issuer)
          .setExpirationTime(Math.floor(h.clock.now().getTime() / 1000) + 300)
          .sign(h.externalKey);
      const scopeOf = async (claims: Record<string, unknown>) => {
        const response = await h.exchange(await signed(claims), { subject_token_type: JWT });
        expect(response.status).toBe(200);
        return decodeJwt(response.body.access_token as string).scope;
      };
      expect(await scopeOf({ sub: 'partner-user-7' })).toBe('xis');
      expect(await scopeOf({ sub: 'partner-user-7', patient: 'p-1' })).toBe('xis patient/*.read');
    });

    it('alg none and HS256 keyed with the public key', async () => {
      const encode = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const claims = { iss: EXTERNAL_ISSUER, sub: 'x', aud: h.issuer, exp: Math.floor(Date.now() / 1000) + 300 };
      const none = `${encode({ alg: 'none' })}.${encode(claims)}.`;
      const hs256 = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', kid: 'partner-1' })
        .sign(new TextEncoder().encode(JSON.stringify(h.externalPublic)));
      for (const token of [none, hs256]) {
        expectRefused(await h.exchange(token, { subject_token_type: JWT }), 'invalid_request');
        expectRefused(await h.exchange(token), 'invalid_request');
      }
    });

    it('tenant header missing or malformed', async () => {
      const patient = await h.patientLogin();
      expectRefused(await h.exchange(patient.access_token, {}, { authorization: PORTAL_HEADERS.authorization }), 'invalid_request');
      expectRefused(
        await h.exchange(
          patient.access_token,
          {},
          { ...PORTAL_HEADERS, organisation_agb: 'http://fhir.nl/fhir/NamingSystem/ura|01234567' },
        ),
        'invalid_request',
      );
      expectRefused(await h.exchange(patient.access_token, {}, { ...PORTAL_HEADERS, organisation_agb: '123' }), 'invalid_request');
    });

    it('a tenant the client may not act for', async () => {
      expectRefused(
        await h.exchange((await h.patientLogin()).access_token, {}, { ...PORTAL_HEADERS, organisation_agb: TEST_TENANTS.forbidden }),
        'unauthorized_client',
      );
    });

    it('a header naming another tenant than the subject token’s', async () => {
      const bound = await h.exchange((await h.patientLogin()).access_token);
      // Both tenants are the portal's: the refusal is that the subject token belongs to the first.
      expectRefused(
        await h.exchange(bound.body.access_token as string, {}, { ...PORTAL_HEADERS, organisation_agb: TEST_TENANTS.other }),
        'invalid_request',
      );
    });

    it('requested_token_type other than an access token', async () => {
      expectRefused(
        await h.exchange((await h.patientLogin()).access_token, { requested_token_type: 'urn:ietf:params:oauth:token-type:id_token' }),
        'invalid_request',
      );
    });
  });

  describe('tenancy of presented tokens', () => {
    it('introspection and userinfo refuse a token of another tenant than the header names', async () => {
      const exchanged = (await h.exchange((await h.patientLogin()).access_token)).body.access_token as string;
      const introspect = (agb?: string) =>
        postForm(`${h.issuer}/protocol/openid-connect/token/introspect`, new URLSearchParams({ token: exchanged }), {
          authorization: basic('system', TEST_SECRETS.system),
          ...(agb ? { organisation_agb: agb } : {}),
        });
      expect((await introspect(TEST_TENANTS.allowed)).body).toMatchObject({ active: true, organisation_agb: TEST_TENANTS.allowed });
      expect((await introspect(TEST_TENANTS.other)).body).toEqual({ active: false });
      expect((await introspect('not-agb')).status).toBe(400);

      // A tenant-bound client does not see tokens of tenants it may not act for, header or not.
      const asClinicB = await postForm(`${h.issuer}/protocol/openid-connect/token/introspect`, new URLSearchParams({ token: exchanged }), {
        authorization: basic('clinic-b', TEST_SECRETS.web),
      });
      expect(asClinicB.body).toEqual({ active: false });

      const userinfo = (agb: string) =>
        fetch(`${h.issuer}/protocol/openid-connect/userinfo`, { headers: { authorization: `Bearer ${exchanged}`, organisation_agb: agb } });
      // Of the right tenant, the token passes the tenant check and meets UserInfo's need of `openid`, which an
      // exchanged token for the XIS does not hold (403); of another tenant it is refused before that, as dead.
      expect((await userinfo(TEST_TENANTS.allowed)).status).toBe(403);
      expect((await userinfo(TEST_TENANTS.other)).status).toBe(401);
    });

    it('introspection answers a malformed organisation_agb header alike for a live and a junk token (RFC 7662 §2.2)', async () => {
      const live = (await h.exchange((await h.patientLogin()).access_token)).body.access_token as string;
      const introspect = (token: string, agb: string) =>
        postForm(`${h.issuer}/protocol/openid-connect/token/introspect`, new URLSearchParams({ token }), {
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
