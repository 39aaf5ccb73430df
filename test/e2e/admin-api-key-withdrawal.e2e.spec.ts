import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { KEY_PREPUBLICATION_MS } from '../../src/keys/signing-key.service.js';
import { adminCall, adminToken, clientToken } from '../support/admin-api.js';
import { adminApiServerForSuite } from '../support/admin-api-server.js';
import { loginTokens, portalDelegation } from '../support/login-flow.js';
import { TestClock } from '../support/test-clock.js';
import { TEST_SECRETS } from '../support/test-config.js';

/**
 * An operator withdraws a leaked signing key through the admin API while the service runs: from the
 * answer on, the key is in no JWKS (RFC 7517 §5), nothing that names it in its `kid` (RFC 7515
 * §4.1.4) verifies here, and where it signed a new key signs at once.
 */
describe('admin API: withdrawing a signing key', () => {
  const clock = new TestClock();
  const h = adminApiServerForSuite(clock);

  const systemToken = () => clientToken(h.server.baseUrl, 'nemlogin', 'system', TEST_SECRETS.system);
  const kidOf = (token: string) => decodeProtectedHeader(token).kid as string;
  const jwksKids = async (realm = 'nemlogin') => {
    const jwks = (await (await fetch(`${h.server.baseUrl}/realms/${realm}/protocol/openid-connect/certs`)).json()) as {
      keys: { kid: string }[];
    };
    return jwks.keys.map((key) => key.kid);
  };
  const withdraw = async (kid: string, token?: string) =>
    adminCall(h.server.baseUrl, 'POST', `nemlogin/keys/${encodeURIComponent(kid)}/withdraw`, token ?? (await h.operator()));
  const userinfo = (accessToken: string) => fetch(`${h.oidc}/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } });
  const logoutWithHint = (idToken: string) =>
    fetch(`${h.oidc}/logout?${new URLSearchParams({ id_token_hint: idToken })}`, { redirect: 'manual' });

  it('the key that signs: out of the JWKS, its tokens refused everywhere this service verifies, a new key signing at once', async () => {
    const before = await systemToken();
    const patient = await loginTokens(h.server.baseUrl, 'nemlogin', 'alice');
    const oldKid = kidOf(before);
    expect(kidOf(patient.access_token)).toBe(oldKid);
    expect(kidOf(patient.id_token)).toBe(oldKid);
    expect(await h.introspect(before)).toMatchObject({ active: true });
    expect((await userinfo(patient.access_token)).status).toBe(200);
    expect(await jwksKids()).toEqual([oldKid]);

    const withdrawn = await withdraw(oldKid);
    expect(withdrawn).toMatchObject({
      status: 200,
      body: { kid: oldKid, algorithm: 'ES256', withdrawnAt: clock.now().getTime(), signingKid: expect.any(String) },
    });
    expect(withdrawn.body).not.toHaveProperty('alreadyWithdrawn');
    const newKid = withdrawn.body.signingKid as string;
    expect(newKid).not.toBe(oldKid);

    // Published at once, the withdrawn key gone; no pre-publication wait for the new one.
    expect(await jwksKids()).toEqual([newKid]);
    expect(await h.introspect(before)).toEqual({ active: false });
    expect(await h.introspect(patient.access_token)).toEqual({ active: false });
    expect((await userinfo(patient.access_token)).status).toBe(401);
    expect(await portalDelegation(h.server.baseUrl, 'nemlogin', patient.access_token)).toMatchObject({ status: 400 });
    // An id_token_hint it signed is no hint: the logout is refused, not made.
    expect((await logoutWithHint(patient.id_token)).status).toBe(400);

    const after = await systemToken();
    expect(kidOf(after)).toBe(newKid);
    expect(await h.introspect(after)).toMatchObject({ active: true, client_id: 'system' });
    await expect(jwtVerify(after, createRemoteJWKSet(new URL(`${h.oidc}/certs`)))).resolves.toBeDefined();
    await expect(jwtVerify(before, createRemoteJWKSet(new URL(`${h.oidc}/certs`)))).rejects.toThrow();

    // The refresh token is MACed, not signed with a realm key: the session goes on, with tokens of the new key.
    const refreshed = await fetch(`${h.oidc}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: patient.refresh_token, client_id: 'patient-app' }),
    });
    expect(refreshed.status).toBe(200);
    const { access_token } = (await refreshed.json()) as { access_token: string };
    expect(kidOf(access_token)).toBe(newKid);
    expect((await userinfo(access_token)).status).toBe(200);

    const listed = await adminCall(h.server.baseUrl, 'GET', 'nemlogin/keys', await h.operator());
    expect(listed.body.active).toEqual({ ES256: newKid });
    expect(listed.body.keys.map((k: Record<string, unknown>) => [k.kid, k.status, k.withdrawnAt])).toEqual([
      [newKid, 'ACTIVE', undefined],
      [oldKid, 'DISABLED', clock.now().getTime()],
    ]);
    const [action] = (await h.adminEvents({ type: 'ADMIN_ACTION', client: 'operator', max: '10' })).filter(
      (e) => e.details.resource_path === `keys/${oldKid}/withdraw`,
    );
    expect(action).toMatchObject({
      details: {
        operation_type: 'ACTION',
        kid: oldKid,
        algorithm: 'ES256',
        withdrawn_at: clock.now().toISOString(),
        installed_kid: newKid,
        signing_kid: newKid,
      },
    });
    expect(action).not.toHaveProperty('error');
  });

  it('refuses, changing nothing: an unknown kid, another realm’s, a malformed one, no token, a token without manage-realm', async () => {
    const signing = kidOf(await systemToken());
    const ehealthKid = (await jwksKids('ehealth'))[0]!;
    const unknown = 'A'.repeat(43);

    for (const kid of [unknown, ehealthKid]) expect(await withdraw(kid)).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(await withdraw('a b')).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect((await adminCall(h.server.baseUrl, 'POST', `nemlogin/keys/${signing}/withdraw`)).status).toBe(401);
    const auditor = await adminToken(h.server.baseUrl, 'nemlogin', 'auditor');
    expect(await withdraw(signing, auditor)).toMatchObject({ status: 403, body: { error: 'insufficient_scope' } });

    expect(await jwksKids()).toEqual([signing]);
    expect(await jwksKids('ehealth')).toContain(ehealthKid);
    expect(kidOf(await systemToken())).toBe(signing);
    // Each refusal of a caller with a live token is in the audit trail, newest first.
    const refusals = (await h.adminEvents({ type: 'ADMIN_ACTION', max: '20' })).filter((e) =>
      /^keys\/.+\/withdraw$/.test(e.details.resource_path),
    );
    expect(refusals.slice(0, 4).map((e) => [e.details.resource_path, e.error])).toEqual([
      [`keys/${signing}/withdraw`, 'insufficient_scope'],
      ['keys/a%20b/withdraw', 'invalid_request'],
      [`keys/${ehealthKid}/withdraw`, 'not_found'],
      [`keys/${unknown}/withdraw`, 'not_found'],
    ]);
  });

  it('withdrawing a key twice changes nothing the second time, and answers with the first withdrawal', async () => {
    const signing = kidOf(await systemToken());
    const first = await withdraw(signing);
    const newKid = first.body.signingKid as string;
    clock.advance(5);
    const second = await withdraw(signing);
    expect(second).toMatchObject({
      status: 200,
      body: { kid: signing, withdrawnAt: first.body.withdrawnAt, alreadyWithdrawn: true, signingKid: newKid },
    });
    expect(await jwksKids()).toEqual([newKid]);
    expect(kidOf(await systemToken())).toBe(newKid);
  });

  it('a retired key still published: out of the JWKS, its tokens refused; the key that signs signs on', async () => {
    const old = await systemToken();
    const rotated = await adminCall(h.server.baseUrl, 'POST', 'nemlogin/keys/rotate', await h.operator());
    clock.advance(KEY_PREPUBLICATION_MS / 1000);
    const current = rotated.body.kid as string;
    expect(kidOf(await systemToken())).toBe(current);
    expect(await h.introspect(old)).toMatchObject({ active: true });

    const withdrawn = await withdraw(kidOf(old));
    expect(withdrawn).toMatchObject({ status: 200, body: { signingKid: current } });
    expect(await jwksKids()).toEqual([current]);
    expect(await h.introspect(old)).toEqual({ active: false });
    expect(kidOf(await systemToken())).toBe(current);
  });

  it('a rotation’s key not signing yet: the rotation is undone, the key that signs signs on past its start, and may be rotated again', async () => {
    const current = kidOf(await systemToken());
    const rotated = await adminCall(h.server.baseUrl, 'POST', 'nemlogin/keys/rotate', await h.operator());
    const pending = rotated.body.kid as string;
    expect(await jwksKids()).toEqual([current, pending]);

    expect(await withdraw(pending)).toMatchObject({ status: 200, body: { kid: pending, signingKid: current } });
    expect(await jwksKids()).toEqual([current]);
    clock.advance(KEY_PREPUBLICATION_MS / 1000);
    expect(kidOf(await systemToken())).toBe(current);
    expect((await adminCall(h.server.baseUrl, 'POST', 'nemlogin/keys/rotate', await h.operator())).status).toBe(200);
  });

  it('the key that signs while a rotation’s key waits: a new key signs at once, not the waiting one', async () => {
    clock.advance(KEY_PREPUBLICATION_MS / 1000);
    const current = kidOf(await systemToken());
    const pending = (await adminCall(h.server.baseUrl, 'POST', 'nemlogin/keys/rotate', await h.operator())).body.kid as string;

    const withdrawn = await withdraw(current);
    const fresh = withdrawn.body.signingKid as string;
    expect([current, pending]).not.toContain(fresh);
    expect(kidOf(await systemToken())).toBe(fresh);
    expect(await jwksKids()).not.toContain(current);
    clock.advance(KEY_PREPUBLICATION_MS / 1000);
    expect(kidOf(await systemToken())).toBe(fresh);
  });
});
