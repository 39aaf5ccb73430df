import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { adminCall, clientToken } from '../support/admin-api.js';
import { adminApiServerForSuite } from '../support/admin-api-server.js';
import { TEST_SECRETS } from '../support/test-config.js';

/** The admin API (admin-api.e2e.spec.ts) rotating the realm's signing key while the service runs. */
describe('admin API: sessions and keys', () => {
  const h = adminApiServerForSuite();

  it('rotates the signing key while running: new tokens carry the new kid, old ones still verify', async () => {
    const before = await clientToken(h.server.baseUrl, 'nemlogin', 'system', TEST_SECRETS.system);
    const oldKid = decodeProtectedHeader(before).kid;
    const listed = await adminCall(h.server.baseUrl, 'GET', 'nemlogin/keys', await h.operator());
    expect(listed.body).toMatchObject({ active: { ES256: oldKid } });
    expect(listed.body.keys[0]).toMatchObject({ kid: oldKid, status: 'ACTIVE', type: 'EC', algorithm: 'ES256', use: 'SIG' });

    const rotated = await adminCall(h.server.baseUrl, 'POST', 'nemlogin/keys/rotate', await h.operator());
    expect(rotated).toMatchObject({ status: 200, body: { kid: expect.any(String), algorithm: 'ES256' } });
    const newKid = rotated.body.kid as string;
    expect(newKid).not.toBe(oldKid);

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
    const [action] = await h
      .adminEvents({ type: 'ADMIN_ACTION', client: 'operator', max: '3' })
      .then((events) => events.filter((e) => e.details.resource_path === 'keys/rotate'));
    expect(action).toMatchObject({ details: { operation_type: 'ACTION', kid: newKid } });
  });
});
