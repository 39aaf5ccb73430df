import type * as fhir4 from 'fhir/r4.js';
import type { LogoutBy } from './audit-event-type.js';

/** Who ended a session and why, as the LOGOUT's row records it (`details.by`, `actor`, `reason`). */
export interface LogoutAttribution {
  by: LogoutBy;
  /** The realm's issuer: the namespace of client and IdP identifiers, as in balp-audit-event.ts. */
  issuer: string;
  /** The admin client that ended it (`by: 'admin'`), or the client another person logged in to (`login`). */
  actor?: string;
  /** The IdP of the session's login (`by: 'idp'`). */
  idpAlias?: string;
  /** Why, as a code (`refresh_token_reused`, `code_replayed`, `another_user_logged_in`, …). */
  reason?: string;
  /** The address the ending request came from. */
  address?: string;
}

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const SERVICE = 'AuthzOauthService';

/**
 * A Logout AuditEvent (balp-audit-event.ts) as it is for a session someone other than the user ended.
 * balpAuditEvent names the user as requestor and puts the request's address on the user's app, which
 * holds only for the user's own logout; this event lands in the patient's access log, so an
 * administrator's, the IdP's or this service's act must not read as the user's. FHIR R4
 * AuditEvent.agent.requestor marks "the agent that initiated the event": here the user and their app
 * stay as agents with requestor false, and the requestor is who ended it — the admin client (DICOM
 * 110150 Application, like the user's app, with the address its request came from), the IdP (SAML
 * single logout), or this service's own agent (BALP AuthzOauthService) for a replayed code or
 * refresh token, and for another person's login in the browser (its rule, one person's SSO session
 * per browser; that person is not named in this one's access log). `by` and `reason` go to an entity
 * detail, as the exchange's audience does.
 */
export function attributeLogout(event: fhir4.AuditEvent, facts: LogoutAttribution): fhir4.AuditEvent {
  if (facts.by === 'user') return event;
  const byService = facts.by === 'reuse' || facts.by === 'login';
  const agents = event.agent.map((agent) => asBystander(agent, byService && isService(agent)));
  const requestor = requestorAgent(facts);
  return {
    ...event,
    agent: requestor ? [...agents, requestor] : agents,
    entity: [...(event.entity ?? []), endingEntity(facts)],
  };
}

/** An agent of balpAuditEvent that did not ask for the logout: not the requestor, and not where the request came from. */
function asBystander(agent: fhir4.AuditEventAgent, requestor: boolean): fhir4.AuditEventAgent {
  const { network: _network, ...rest } = agent;
  return { ...rest, requestor };
}

function isService(agent: fhir4.AuditEventAgent): boolean {
  return agent.type?.coding?.some((coding) => coding.code === SERVICE) ?? false;
}

/** The agent that ended the session, when it is not this service (whose agent is already there). */
function requestorAgent(facts: LogoutAttribution): fhir4.AuditEventAgent | undefined {
  switch (facts.by) {
    case 'admin':
      return {
        type: { coding: [{ system: DCM, code: '110150', display: 'Application' }] },
        ...(facts.actor ? { who: { identifier: { system: `${facts.issuer}/clients`, value: facts.actor } } } : {}),
        requestor: true,
        // R4 AuditEvent.agent.network.type 2: "IP Address"; the admin client's own request came from it.
        ...(facts.address ? { network: { address: facts.address, type: '2' } } : {}),
      };
    case 'idp':
      // No network address: a SAML LogoutRequest reaches us through the user's browser (front channel),
      // so the address the request came from is the browser's, not the IdP's; it is kept in the entity.
      return {
        type: { coding: [{ system: DCM, code: '110150', display: 'Application' }] },
        ...(facts.idpAlias ? { who: { identifier: { system: `${facts.issuer}/identity-providers`, value: facts.idpAlias } } } : {}),
        requestor: true,
      };
    default:
      return undefined;
  }
}

/**
 * Why the session ended, where an auditor reads it: the session as a System Object in the role of a
 * Security Resource (audit-entity-type 2, object-role 13, as the exchange's audience entity), with
 * `by`, `reason` and — when it is not the requestor's own (a replayed token's presenter, the browser
 * carrying an IdP's logout, the browser of another person's login) — the address the ending request
 * came from.
 */
function endingEntity(facts: LogoutAttribution): fhir4.AuditEventEntity {
  const detail: fhir4.AuditEventEntityDetail[] = [{ type: 'by', valueString: facts.by }];
  if (facts.reason) detail.push({ type: 'reason', valueString: facts.reason });
  if (facts.address && facts.by !== 'admin') detail.push({ type: 'address', valueString: facts.address });
  return {
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2', display: 'System Object' },
    role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '13', display: 'Security Resource' },
    detail,
  };
}
