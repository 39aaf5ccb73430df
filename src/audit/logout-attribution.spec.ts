import { balpAuditEvent } from '../fhir/balp-audit-event.js';
import { attributeLogout } from './logout-attribution.js';

const issuer = 'https://auth.example/realms/nemlogin';
const logout = balpAuditEvent({
  kind: 'logout',
  recorded: new Date('2026-01-02T03:04:05.000Z'),
  issuer,
  realm: 'nemlogin',
  userId: 'f2bddc82-f1bc-4403-95c3-d54853ea1a60',
  clientId: 'patient-app',
  address: '192.0.2.7',
  patient: 'https://fhir.example/fhir/Patient/123',
});

/** Each agent as [type code, who's value, requestor, network address]. */
const agents = (event: ReturnType<typeof attributeLogout>) =>
  event.agent.map((a) => [a.type?.coding?.[0]?.code, a.who?.identifier?.value, a.requestor, a.network?.address]);
const ending = (event: ReturnType<typeof attributeLogout>) => event.entity?.find((e) => e.role?.code === '13')?.detail;

describe('attributeLogout', () => {
  it('leaves the user’s own logout as balpAuditEvent built it', () => {
    expect(attributeLogout(logout, { by: 'user', issuer, address: '192.0.2.7' })).toBe(logout);
  });

  it('an administrator’s: the admin client is the requestor, with its address; the user and their app are not', () => {
    const event = attributeLogout(logout, { by: 'admin', issuer, actor: 'operator', address: '198.51.100.9' });
    expect(agents(event)).toEqual([
      ['UserSamlAgent', 'f2bddc82-f1bc-4403-95c3-d54853ea1a60', false, undefined],
      ['110150', 'patient-app', false, undefined],
      ['AuthzOauthService', issuer, false, undefined],
      ['110150', 'operator', true, '198.51.100.9'],
    ]);
    expect(event.agent[3]!.who).toEqual({ identifier: { system: `${issuer}/clients`, value: 'operator' } });
    expect(event.entity?.[0]?.role?.code).toBe('1');
    expect(ending(event)).toEqual([{ type: 'by', valueString: 'admin' }]);
  });

  it('the IdP’s: the IdP is the requestor; the browser’s address is a detail, no agent’s', () => {
    const event = attributeLogout(logout, { by: 'idp', issuer, idpAlias: 'nemlogin-saml', address: '192.0.2.7' });
    expect(agents(event)).toEqual([
      ['UserSamlAgent', 'f2bddc82-f1bc-4403-95c3-d54853ea1a60', false, undefined],
      ['110150', 'patient-app', false, undefined],
      ['AuthzOauthService', issuer, false, undefined],
      ['110150', 'nemlogin-saml', true, undefined],
    ]);
    expect(event.agent[3]!.who).toEqual({ identifier: { system: `${issuer}/identity-providers`, value: 'nemlogin-saml' } });
    expect(ending(event)).toEqual([
      { type: 'by', valueString: 'idp' },
      { type: 'address', valueString: '192.0.2.7' },
    ]);
  });

  it('a replayed token’s: this service is the requestor, with the reason and the presenter’s address as details', () => {
    const event = attributeLogout(logout, { by: 'reuse', issuer, reason: 'refresh_token_reused', address: '203.0.113.5' });
    expect(agents(event)).toEqual([
      ['UserSamlAgent', 'f2bddc82-f1bc-4403-95c3-d54853ea1a60', false, undefined],
      ['110150', 'patient-app', false, undefined],
      ['AuthzOauthService', issuer, true, undefined],
    ]);
    expect(ending(event)).toEqual([
      { type: 'by', valueString: 'reuse' },
      { type: 'reason', valueString: 'refresh_token_reused' },
      { type: 'address', valueString: '203.0.113.5' },
    ]);
  });

  it('another person’s login in the browser: this service is the requestor, with the reason and the browser’s address as details', () => {
    const event = attributeLogout(logout, { by: 'login', issuer, actor: 'web', reason: 'another_user_logged_in', address: '192.0.2.7' });
    expect(agents(event)).toEqual([
      ['UserSamlAgent', 'f2bddc82-f1bc-4403-95c3-d54853ea1a60', false, undefined],
      ['110150', 'patient-app', false, undefined],
      ['AuthzOauthService', issuer, true, undefined],
    ]);
    expect(ending(event)).toEqual([
      { type: 'by', valueString: 'login' },
      { type: 'reason', valueString: 'another_user_logged_in' },
      { type: 'address', valueString: '192.0.2.7' },
    ]);
  });
});
