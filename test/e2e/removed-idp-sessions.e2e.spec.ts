import { DATABASE, type Database } from '../../src/storage/database.js';
import { FhirAuditOutboxRepository } from '../../src/storage/fhir-audit-outbox.repository.js';
import { loginTokens, PUBLIC_CLIENT, refresh } from '../support/login-flow.js';
import { expectOAuthError } from '../support/oauth-error.js';
import { restartedServerForSuite } from '../support/restarted-server.js';

/**
 * A login's session lives on the trust in the IdP that logged its person in: a start whose config no
 * longer has that IdP in the realm (here the mocked users, whose alias is `mock`; a SAML IdP's is its
 * own) ends its sessions, each with its LOGOUT (removed-idp-sessions-sweep.ts), and leaves the others.
 */
describe('a start whose config took an IdP out of a realm', () => {
  const suite = restartedServerForSuite();
  /** ehealth gets the patient app and a clinician of its own at every start; nemlogin its mocked users unless `withoutNemloginUsers`. */
  const start = (withoutNemloginUsers = false) =>
    suite.start((raw) => {
      raw.realms[1].clients = [
        { ...raw.realms[0].clients.find((c: { clientId: string }) => c.clientId === 'patient-app'), scopes: ['openid'] },
      ];
      raw.realms[1].mockUsers = [{ username: 'nurse', kind: 'clinician', identifiers: [{ system: 'urn:test:clinician', value: 'kept' }] }];
      if (withoutNemloginUsers) Object.assign(raw.realms[0], { mockUsers: [], audit: { fhir: true } });
      raw.audit = { fhirDelivery: { intervalMs: 3_600_000 } };
    });

  it('ends the sessions of its logins, with their LOGOUT, and keeps those of the IdPs it still has', async () => {
    await start();
    const citizen = await loginTokens(suite.server.baseUrl, 'nemlogin', 'alice');
    const clinician = await loginTokens(suite.server.baseUrl, 'ehealth', 'nurse', 'openid', PUBLIC_CLIENT);

    await start(true);
    expectOAuthError(await refresh(suite.server.baseUrl, 'nemlogin', citizen.refresh_token), 400, 'invalid_grant');
    expect((await refresh(suite.server.baseUrl, 'ehealth', clinician.refresh_token)).status).toBe(200);
    const { rows } = await suite.server.app
      .get<Database>(DATABASE)
      .query<{ realm: string; details: object }>("SELECT realm, details FROM audit_events WHERE type = 'LOGOUT' ORDER BY id");
    expect(rows).toEqual([
      { realm: 'nemlogin', details: expect.objectContaining({ by: 'start', reason: 'identity_provider_not_configured' }) },
    ]);
    expect(suite.server.logs.some((line) => line.includes('sessions of an identity provider the config no longer has ended'))).toBe(true);
    // A real person's logout: queued for the realm's FHIR server as its AuditEvent, as any other (unlike a mocked user's in production).
    const queued = await suite.server.app.get(FhirAuditOutboxRepository).pending('nemlogin');
    expect(queued.map((entry) => (entry.resource as { subtype: { code: string }[] }).subtype[0]!.code)).toEqual(['110123']);

    // Nothing more to end at the next start.
    await start(true);
    expect(suite.server.logs.some((line) => line.includes('sessions of an identity provider the config no longer has ended'))).toBe(false);
  });
});
