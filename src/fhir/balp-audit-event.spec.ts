import { balpAuditEvent, type AuditEventFacts } from './balp-audit-event.js';

const facts: AuditEventFacts = {
  kind: 'login',
  recorded: new Date('2026-01-02T03:04:05.000Z'),
  issuer: 'https://auth.example/realms/nemlogin',
  realm: 'nemlogin',
  userId: 'f2bddc82-f1bc-4403-95c3-d54853ea1a60',
  clientId: 'patient-app',
  address: '192.0.2.7',
  patient: 'https://fhir.example/fhir/Patient/123',
};

describe('balpAuditEvent', () => {
  it('a login: User Authentication / Login, the user as requestor, the client with its address, the server, the Patient', () => {
    const event = balpAuditEvent(facts);
    expect(event).toMatchObject({
      resourceType: 'AuditEvent',
      type: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110114' },
      subtype: [{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110122' }],
      action: 'E',
      outcome: '0',
      recorded: '2026-01-02T03:04:05.000Z',
      source: { site: 'nemlogin', observer: { identifier: { value: facts.issuer } } },
      entity: [{ what: { reference: facts.patient }, role: { code: '1' }, type: { code: '1' } }],
    });
    expect(event.agent.map((a) => [a.type?.coding?.[0]?.code, a.requestor])).toEqual([
      ['UserSamlAgent', true],
      ['110150', false],
      ['AuthzOauthService', false],
    ]);
    expect(event.agent[0]!.who).toEqual({ identifier: { system: facts.issuer, value: facts.userId } });
    expect(event.agent[1]!.network).toEqual({ address: '192.0.2.7', type: '2' });
  });

  it('references a Patient on the FHIR server it goes to relatively, any other absolutely', () => {
    expect(balpAuditEvent({ ...facts, fhirBase: 'https://fhir.example/fhir' }).entity?.[0]?.what).toEqual({ reference: 'Patient/123' });
    expect(balpAuditEvent({ ...facts, fhirBase: 'https://other.example/fhir' }).entity?.[0]?.what).toEqual({ reference: facts.patient });
  });

  it('a logout is subtype 110123; without a patient it has no entity', () => {
    const event = balpAuditEvent({ ...facts, kind: 'logout', patient: undefined });
    expect(event.subtype).toEqual([{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110123', display: 'Logout' }]);
    expect(event).not.toHaveProperty('entity');
  });

  it('a token exchange is IUA Get Access Token, requested by the acting client, naming the audience', () => {
    const event = balpAuditEvent({ ...facts, kind: 'token-exchange', clientId: 'portal', audience: ['xis'] });
    expect(event.subtype).toEqual([{ system: 'urn:ihe:event-type-code', code: 'ITI-71', display: 'Get Access Token' }]);
    expect(event.agent.map((a) => a.requestor)).toEqual([false, true, false]);
    expect(event.entity?.[1]).toMatchObject({ role: { code: '13' }, detail: [{ type: 'audience', valueString: 'xis' }] });
  });
});
