import { createRemoteJWKSet, decodeJwt, jwtVerify, SignJWT } from 'jose';
import { TEST_SECRETS, TEST_TENANTS, XIS_ARCHIVE_RESOURCE } from '../support/test-config.js';
import { basic, postForm } from '../support/token-requests.js';
import {
  ACCESS_TOKEN,
  EXTERNAL_ISSUER,
  expectRefused,
  JWT,
  exchangeServerForSuite,
  exchangeUnderPolicy,
} from '../support/token-exchange-server.js';

/**
 * RFC 8693 delegation: the portal exchanges a patient's token for the XIS, per tenant (organisation_agb).
 * Its refusals, and the tenancy of the tokens it issues, are in token-exchange-refusals.e2e.spec.ts;
 * a refresh token for the portal in token-exchange-refresh.e2e.spec.ts.
 */
describe('token exchange and tenancy', () => {
  const h = exchangeServerForSuite();

  it('portal → XIS: the exchanged token keeps the patient’s sub, gains act and the tenant, narrows the scope, and verifies against the JWKS', async () => {
    const patient = await h.patientLogin();
    const response = await h.exchange(patient.access_token, { scope: 'patient/*.read' });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.body).toMatchObject({ issued_token_type: ACCESS_TOKEN, token_type: 'Bearer', scope: 'patient/*.read' });

    const { payload, protectedHeader } = await jwtVerify(
      response.body.access_token as string,
      createRemoteJWKSet(new URL(`${h.issuer}/protocol/openid-connect/certs`)),
      { issuer: h.issuer, audience: 'xis', typ: 'at+jwt' },
    );
    const subject = await jwtVerify(patient.access_token, createRemoteJWKSet(new URL(`${h.issuer}/protocol/openid-connect/certs`)));
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
    const first = await h.exchange((await h.patientLogin()).access_token, { audience: 'xis-archive' });
    const again = await h.exchange(first.body.access_token as string);
    expect(again.status).toBe(200);
    const { payload } = await jwtVerify(
      again.body.access_token as string,
      createRemoteJWKSet(new URL(`${h.issuer}/protocol/openid-connect/certs`)),
    );
    expect(payload.act).toEqual({ sub: 'portal', client_id: 'portal', act: { sub: 'portal', client_id: 'portal' } });
  });

  it('several targets: audience and resource may each repeat (RFC 8693 §2.1), every value one name, a resource an absolute URI', async () => {
    const patient = await h.patientLogin();
    const audiences = await h.exchangeRepeating(patient.access_token, [
      ['audience', 'xis'],
      ['audience', 'xis-archive'],
    ]);
    expect(audiences.status).toBe(200);
    expect(decodeJwt(audiences.body.access_token as string).aud).toEqual(['xis', 'xis-archive']);

    const resources = await h.exchangeRepeating(patient.access_token, [
      ['audience', 'xis'],
      ['resource', XIS_ARCHIVE_RESOURCE],
    ]);
    expect(resources.status).toBe(200);
    expect(decodeJwt(resources.body.access_token as string).aud).toEqual(['xis', XIS_ARCHIVE_RESOURCE]);
    // RFC 8707 §2: a resource is an absolute URI without a fragment; a logical name goes in `audience`.
    for (const resource of ['xis', 'xis-archive', `${XIS_ARCHIVE_RESOURCE}#part`]) {
      expectRefused(await h.exchange(patient.access_token, { resource }), 'invalid_target');
    }

    // A space is part of one audience value, not a separator: this names no registered target.
    expectRefused(await h.exchange(patient.access_token, { audience: 'xis xis-archive' }), 'invalid_target');
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
      .setAudience(h.issuer)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(h.externalKey);
    const response = await h.exchange(token, { subject_token_type: JWT });
    expect(response.status).toBe(200);
    const claims = decodeJwt(response.body.access_token as string);
    expect(claims).toMatchObject({ sub: 'partner-user-7', user_type: 'PATIENT', act: { sub: 'portal' } });
    expect(claims).not.toHaveProperty('sid');
    expect(claims).not.toHaveProperty('realm_access');
  });

  it('a partner’s tenant in the header’s system|code form is the tenant the header names by its bare code', async () => {
    const token = await new SignJWT({ organisation_agb: `http://fhir.nl/fhir/NamingSystem/agb-z|${TEST_TENANTS.allowed}` })
      .setProtectedHeader({ alg: 'ES256', kid: 'partner-1' })
      .setIssuer(EXTERNAL_ISSUER)
      .setSubject('partner-user-7')
      .setAudience(h.issuer)
      .setExpirationTime(Math.floor(h.clock.now().getTime() / 1000) + 300)
      .sign(h.externalKey);
    const response = await h.exchange(token, { subject_token_type: JWT });
    expect(response.status).toBe(200);
    expect(decodeJwt(response.body.access_token as string).organisation_agb).toBe(TEST_TENANTS.allowed);
  });

  it('a machine’s client-credentials token as subject: its configured roles stay its own, never carried to the exchanging client', async () => {
    const machine = await postForm(`${h.issuer}/protocol/openid-connect/token`, new URLSearchParams({ grant_type: 'client_credentials' }), {
      authorization: basic('system', TEST_SECRETS.system),
    });
    expect(decodeJwt(machine.body.access_token as string).realm_access).toEqual({ roles: ['system'] });
    const response = await h.exchange(machine.body.access_token as string);
    expect(response.status).toBe(200);
    const claims = decodeJwt(response.body.access_token as string);
    expect(claims).toMatchObject({ sub: 'system', client_id: 'portal', user_type: 'SYSTEM', act: { sub: 'portal' } });
    expect(claims).not.toHaveProperty('realm_access');
  });

  it('names the scope it issued when that differs from the one asked for, none included (RFC 8693 §2.2.1: "otherwise, it is REQUIRED")', async () => {
    // A partner's subject with no patient bears no patient-level scope (SMART), so asking for one gets none.
    const token = await new SignJWT({ scope: 'xis patient/*.read' })
      .setProtectedHeader({ alg: 'ES256', kid: 'partner-1' })
      .setIssuer(EXTERNAL_ISSUER)
      .setSubject('partner-user-7')
      .setAudience(h.issuer)
      .setExpirationTime(Math.floor(h.clock.now().getTime() / 1000) + 300)
      .sign(h.externalKey);
    const partly = await h.exchange(token, { subject_token_type: JWT, scope: 'xis patient/*.read' });
    expect(partly.status).toBe(200);
    expect(partly.body.scope).toBe('xis');
    const none = await h.exchange(token, { subject_token_type: JWT, scope: 'patient/*.read' });
    expect(none.status).toBe(200);
    expect(none.body.scope).toBe('');
    expect(decodeJwt(none.body.access_token as string)).not.toHaveProperty('scope');
  });

  it('refuses a subject token issued to a client the policy does not accept', async () =>
    expectRefused(await exchangeUnderPolicy({ audiences: ['xis'], subjectClients: ['some-other-app'] }), 'invalid_request'));
});
