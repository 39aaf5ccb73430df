import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { KEY_PREPUBLICATION_MS } from '../../src/keys/signing-key.service.js';
import { adminCall, clientToken } from '../support/admin-api.js';
import { adminApiServerForSuite } from '../support/admin-api-server.js';
import { TEST_SECRETS } from '../support/test-config.js';
import { TestClock } from '../support/test-clock.js';

/** The admin API (admin-api.e2e.spec.ts) rotating the realm's signing key while the service runs. */
describe('admin API: sessions and keys', () => {
  const clock = new TestClock();
  const h = adminApiServerForSuite(clock);

  it('lists the key the start made as a SIGNING_KEY_INSTALLED: the kid that signs, its algorithm, source and start, no client', async () => {
    const startedAt = clock.now().toISOString();
    const { body } = await adminCall(h.server.baseUrl, 'GET', 'nemlogin/keys', await h.operator());
    const installed = await h.adminEvents({ type: 'SIGNING_KEY_INSTALLED' });
    expect(installed).toEqual([
      expect.objectContaining({
        type: 'SIGNING_KEY_INSTALLED',
        realmId: 'nemlogin',
        details: { kid: body.active.ES256, algorithm: 'ES256', source: 'generated', signs_from: startedAt },
      }),
    ]);
    expect(installed[0]).not.toHaveProperty('clientId');
  });

  it('rotates the signing key while running: published at once, new tokens carry the new kid once it signs, old ones still verify', async () => {
    const before = await clientToken(h.server.baseUrl, 'nemlogin', 'system', TEST_SECRETS.system);
    const oldKid = decodeProtectedHeader(before).kid;
    const listed = await adminCall(h.server.baseUrl, 'GET', 'nemlogin/keys', await h.operator());
    expect(listed.body).toMatchObject({ active: { ES256: oldKid } });
    expect(listed.body.keys[0]).toMatchObject({ kid: oldKid, status: 'ACTIVE', type: 'EC', algorithm: 'ES256', use: 'SIG' });

    const rotated = await adminCall(h.server.baseUrl, 'POST', 'nemlogin/keys/rotate', await h.operator());
    const signsFrom = clock.now().getTime() + KEY_PREPUBLICATION_MS;
    expect(rotated).toMatchObject({ status: 200, body: { kid: expect.any(String), algorithm: 'ES256', signsFrom } });
    const newKid = rotated.body.kid as string;
    expect(newKid).not.toBe(oldKid);
    // Published, not signing yet: Keycloak's PASSIVE, with the instant it starts.
    const pending = await adminCall(h.server.baseUrl, 'GET', 'nemlogin/keys', await h.operator());
    expect(pending.body.active).toEqual({ ES256: oldKid });
    expect(pending.body.keys.map((k: Record<string, unknown>) => [k.kid, k.status, k.signsFrom])).toEqual([
      [oldKid, 'ACTIVE', undefined],
      [newKid, 'PASSIVE', signsFrom],
    ]);
    // Another rotation before that key signs is refused, and changes nothing.
    const again = await adminCall(h.server.baseUrl, 'POST', 'nemlogin/keys/rotate', await h.operator());
    expect(again).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect((await adminCall(h.server.baseUrl, 'GET', 'nemlogin/keys', await h.operator())).body).toEqual(pending.body);
    expect(decodeProtectedHeader(await clientToken(h.server.baseUrl, 'nemlogin', 'system', TEST_SECRETS.system)).kid).toBe(oldKid);

    clock.advance(KEY_PREPUBLICATION_MS / 1000);
    const after = await clientToken(h.server.baseUrl, 'nemlogin', 'system', TEST_SECRETS.system);
    expect(decodeProtectedHeader(after).kid).toBe(newKid);
    const jwks = createRemoteJWKSet(new URL(`${h.oidc}/certs`));
    await expect(jwtVerify(before, jwks)).resolves.toBeDefined();
    await expect(jwtVerify(after, jwks)).resolves.toBeDefined();
    const keys = await adminCall(h.server.baseUrl, 'GET', 'nemlogin/keys', await h.operator());
    expect(keys.body.active).toEqual({ ES256: newKid });
    expect(keys.body.keys.map((k: Record<string, unknown>) => [k.kid, k.status])).toEqual([
      [newKid, 'ACTIVE'],
      [oldKid, 'PASSIVE'],
    ]);
    // Newest first: the refused rotation, then the rotation.
    const [refusal, action] = await h
      .adminEvents({ type: 'ADMIN_ACTION', client: 'operator', max: '10' })
      .then((events) => events.filter((e) => e.details.resource_path === 'keys/rotate'));
    expect(refusal).toMatchObject({ error: 'invalid_request' });
    expect(action).toMatchObject({
      details: { operation_type: 'ACTION', kid: newKid, signs_from: new Date(signsFrom).toISOString(), replaced_kid: oldKid },
    });
  });
});
