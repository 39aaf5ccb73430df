import type * as fhir4 from 'fhir/r4.js';

/** What an AuditEvent says of one login, logout or token exchange; never a national identifier or a name. */
export interface AuditEventFacts {
  kind: 'login' | 'logout' | 'token-exchange';
  recorded: Date;
  /** The realm's issuer: the observer, and the namespace of user and client identifiers. */
  issuer: string;
  realm: string;
  /** The internal user id (`sub`). */
  userId: string;
  /** The client the user logged in to or out of; for an exchange, the client that exchanged (the actor). */
  clientId: string;
  /** The client address the request came from. */
  address?: string;
  /** Absolute FHIR URL (or `Patient/{id}`) of the Patient the user is, or acts for. */
  patient?: string;
  /** Token exchange: the targets the new token is for. */
  audience?: string[];
  /** The FHIR base the AuditEvent goes to: a Patient there is referenced relatively (`Patient/{id}`). */
  fhirBase?: string;
}

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const BALP_AGENT = 'https://profiles.ihe.net/ITI/BALP/CodeSystem/UserAgentTypes';

/**
 * The FHIR R4 AuditEvent of a login, a logout or a token exchange, shaped after IHE Basic Audit Log
 * Patterns (BALP) and the ATNA event vocabulary it builds on: type DICOM 110114 "User Authentication",
 * subtype 110122 "Login" or 110123 "Logout" (DICOM PS3.16 CID 400), or IUA's ITI-71 "Get Access
 * Token" for an exchange (BALP's IHE.IUA.71); action E, outcome 0 (only successes are sent). Agents
 * as BALP slices them: the user (requestor, identified by this realm's issuer and the internal `sub`),
 * the client application (DICOM 110150, with its network address) and this service as the OAuth
 * authorization server (BALP `AuthzOauthService`). When a patient is involved — a citizen logging in,
 * or a token exchanged in a patient's context — an entity names the Patient (BALP's patient-linked
 * patterns: audit-entity-type 1 "Person", object-role 1 "Patient"), so the patient's own access log
 * in the Danish infrastructure finds it. No profile URL is claimed in `meta`: this follows the
 * patterns, it has not been validated against a profile.
 */
export function balpAuditEvent(facts: AuditEventFacts): fhir4.AuditEvent {
  const event: fhir4.AuditEvent = {
    resourceType: 'AuditEvent',
    type: { system: DCM, code: '110114', display: 'User Authentication' },
    subtype: [subtype(facts.kind)],
    action: 'E',
    recorded: facts.recorded.toISOString(),
    outcome: '0',
    agent: [
      {
        type: { coding: [{ system: BALP_AGENT, code: facts.kind === 'token-exchange' ? 'UserOauthAgent' : 'UserSamlAgent' }] },
        who: { identifier: { system: facts.issuer, value: facts.userId } },
        requestor: facts.kind !== 'token-exchange',
      },
      {
        type: { coding: [{ system: DCM, code: '110150', display: 'Application' }] },
        who: { identifier: { system: `${facts.issuer}/clients`, value: facts.clientId } },
        requestor: facts.kind === 'token-exchange',
        // R4 AuditEvent.agent.network.type 2: "IP Address" (IPv4 or IPv6).
        ...(facts.address ? { network: { address: facts.address, type: '2' } } : {}),
      },
      {
        type: { coding: [{ system: BALP_AGENT, code: 'AuthzOauthService', display: 'OAuth Authorization Server' }] },
        who: { identifier: { value: facts.issuer } },
        requestor: false,
      },
    ],
    source: {
      site: facts.realm,
      observer: { identifier: { value: facts.issuer } },
      type: [{ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '4', display: 'Application Server' }],
    },
  };
  const entities: fhir4.AuditEventEntity[] = [];
  if (facts.patient) {
    const local = facts.fhirBase !== undefined && facts.patient.startsWith(`${facts.fhirBase}/`);
    entities.push({
      what: { reference: local ? facts.patient.slice(facts.fhirBase!.length + 1) : facts.patient },
      type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '1', display: 'Person' },
      role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1', display: 'Patient' },
    });
  }
  if (facts.audience?.length) {
    entities.push({
      type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2', display: 'System Object' },
      role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '13', display: 'Security Resource' },
      detail: [{ type: 'audience', valueString: facts.audience.join(' ') }],
    });
  }
  return entities.length > 0 ? { ...event, entity: entities } : event;
}

function subtype(kind: AuditEventFacts['kind']): fhir4.Coding {
  switch (kind) {
    case 'login':
      return { system: DCM, code: '110122', display: 'Login' };
    case 'logout':
      return { system: DCM, code: '110123', display: 'Logout' };
    case 'token-exchange':
      return { system: 'urn:ihe:event-type-code', code: 'ITI-71', display: 'Get Access Token' };
  }
}
